import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSendApi, type LiveVideo } from '../../../src/bot/send-api.js';
import { startHarness, type Harness } from './simulator-harness.js';
import { testPrefix } from '../../helpers/test-prefix.js';

/**
 * Two processes in simulator mode (ROLE=web beside ROLE=worker, or two web processes) on one Redis and one
 * QUEUE_PREFIX: the Page's live videos are one list, whichever process's page went live, so a comment that
 * another process handles finds the live video through its own fake Graph API.
 */
let a: Harness;
let b: Harness;
beforeAll(async () => {
  const shared = { QUEUE_PREFIX: testPrefix('sim') };
  a = await startHarness(shared);
  b = await startHarness(shared);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  const redis = new Redis(a.config.REDIS_URL);
  await redis.del(liveKey());
  redis.disconnect();
});
const liveKey = () => `${a.config.QUEUE_PREFIX}:simulator:live-videos`;

/** What Graph's GET /me/live_videos answers, raw: the path and query the bot's Send API client uses. */
async function listed(h: Harness, statuses?: string[]): Promise<LiveVideo[]> {
  const query = statuses ? `?broadcast_status=${encodeURIComponent(JSON.stringify(statuses))}` : '';
  const res = await fetch(`${h.simulator.graphApiUrl}/v24.0/me/live_videos${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: LiveVideo[] }).data;
}

const latest = (h: Harness) => createSendApi({ graphApiUrl: h.simulator.graphApiUrl, graphApiVersion: 'v24.0', pageAccessToken: undefined }).latestLiveVideo();

async function goLive(h: Harness): Promise<{ id: string; post_id: string }> {
  const res = await fetch(`${h.baseUrl}/simulator/live/video`, { method: 'POST' });
  expect(res.status).toBe(200);
  const state = (await res.json()) as { video: { id: string; post_id: string } | null };
  expect(state.video).not.toBeNull();
  return state.video!;
}

describe('when two processes run the simulator on one Redis', () => {
  it("lists the live video one process's page started in the other's fake Graph API", async () => {
    const video = await goLive(a);
    const live = await latest(b);
    expect(live).toMatchObject({ id: video.id, status: 'LIVE' });
    expect(`${live!.from!.id}_${live!.video!.id}`).toBe(video.post_id);
    expect((await listed(b, ['LIVE'])).map((v) => v.id)).toEqual([video.id]);
    // the other page's Live pane shows it too
    const state = (await (await fetch(`${b.baseUrl}/simulator/live`)).json()) as { video: { id: string } | null };
    expect(state.video?.id).toBe(video.id);
  });

  it('ends it for both when the other process goes live anew', async () => {
    const first = await goLive(a);
    const second = await goLive(b);
    expect(second.id).not.toBe(first.id);
    for (const h of [a, b]) {
      expect((await listed(h, ['LIVE'])).map((v) => v.id)).toEqual([second.id]);
      // newest first, the ended one as a VOD
      expect((await listed(h)).slice(0, 2).map((v) => [v.id, v.status])).toEqual([
        [second.id, 'LIVE'],
        [first.id, 'VOD'],
      ]);
      expect((await latest(h))?.id).toBe(second.id);
    }
  });

  it('keeps only the newest 20 videos, under the queue prefix, for a week after the last change', async () => {
    let last = '';
    for (let i = 0; i < 21; i++) last = (await goLive(i % 2 ? a : b)).id;
    const all = await listed(b);
    expect(all).toHaveLength(20);
    expect(all[0]).toMatchObject({ id: last, status: 'LIVE' });
    expect(all.slice(1).every((v) => v.status === 'VOD')).toBe(true);
    const redis = new Redis(a.config.REDIS_URL);
    try {
      expect(await redis.llen(liveKey())).toBe(20);
      const ttl = await redis.ttl(liveKey());
      expect(ttl).toBeGreaterThan(6 * 24 * 3600);
      expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);
    } finally {
      redis.disconnect();
    }
  });
});
