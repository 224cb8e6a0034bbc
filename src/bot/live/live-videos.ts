import type { Logger } from 'pino';
import type { LiveVideoFinder } from '../../orders/live/live-types.js';
import { GraphError, type SendApi } from '../send-api.js';

/**
 * "The Page's latest live video" for a live sale's set-up: Graph's GET /me/live_videos with
 * broadcast_status ["LIVE"] (newest first). Comments on a live video arrive through the feed webhook
 * with post_id `<page id>_<video id>` (the video object behind the broadcast, not the LiveVideo id).
 * A Graph failure (token without pages_read_engagement, Graph down) is a clear answer, not a crash.
 */
export function liveVideoFinder(sendApi: SendApi, logger: Logger): LiveVideoFinder {
  return {
    async latest() {
      try {
        const v = await sendApi.latestLiveVideo();
        if (!v) return { found: false };
        if (!v.from?.id || !v.video?.id) return { found: false, error: 'Graph did not say which Page and video the live video is' };
        return { found: true, post_id: `${v.from.id}_${v.video.id}`, title: v.title ?? null };
      } catch (err) {
        if (!(err instanceof GraphError)) throw err;
        logger.warn({ err: err.message, code: err.code }, 'live sale: could not read the Page live videos');
        return { found: false, error: err.message.slice(0, 200) };
      }
    },
  };
}
