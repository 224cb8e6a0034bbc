import { randomInt } from 'node:crypto';
import type { LiveVideo } from '../bot/send-api.js';
import type { RedisClient } from '../db/redis.js';
import { SIMULATOR_PAGE_ID } from './webhook-sender.js';

/**
 * Where a fake Graph API keeps the Page's live videos, which GET /me/live_videos lists: in its own memory
 * (a fake Graph on its own, in tests), or in Redis (the simulator), so that every process's fake Graph lists
 * the videos that any process's page started — a comment handled by another process finds its live video.
 */
export interface LiveVideoStore {
  /** A new video, after the others; with endOthers every video still LIVE ends first, in the same step. */
  add(video: LiveVideo, opts?: { endOthers?: boolean }): Promise<void>;
  end(id: string): Promise<void>;
  /** Oldest first. */
  list(): Promise<LiveVideo[]>;
}

// From a random point: two processes that go live in the same millisecond still make two ids.
let seq = randomInt(900);

/** A live video as Graph describes one, broadcasting now. */
export function newLiveVideo(opts: { title?: string; pageId?: string } = {}): LiveVideo {
  seq += 1;
  const videoId = `${Date.now()}${String(seq).padStart(3, '0')}`;
  return {
    id: `9${videoId}`,
    status: 'LIVE',
    title: opts.title ?? 'Live selling',
    creation_time: new Date().toISOString().replace(/\.\d{3}Z$/, '+0000'),
    from: { id: opts.pageId ?? SIMULATOR_PAGE_ID },
    video: { id: videoId },
  };
}

/** This process's own list; `videos` is the list itself, for a fake Graph's synchronous test helpers. */
export function memoryLiveVideos(): LiveVideoStore & { videos: LiveVideo[] } {
  const videos: LiveVideo[] = [];
  const end = (pick: (v: LiveVideo) => boolean) => {
    for (const v of videos) if (pick(v)) v.status = 'VOD';
  };
  return {
    videos,
    async add(video, opts) {
      if (opts?.endOthers) end((v) => v.status === 'LIVE');
      videos.push(video);
    },
    async end(id) {
      end((v) => v.id === id);
    },
    async list() {
      return [...videos];
    },
  };
}

// One key (a list of JSON videos, newest first), so the script runs on one Redis Cluster slot.
// KEYS: the list. ARGV: the id to end ('' none, '*' every LIVE one), the new video's JSON ('' none), keep, ttl s.
const UPDATE = `local items = redis.call('lrange', KEYS[1], 0, -1)
for i, raw in ipairs(items) do
  local v = cjson.decode(raw)
  if v.status == 'LIVE' and (ARGV[1] == '*' or v.id == ARGV[1]) then
    v.status = 'VOD'
    redis.call('lset', KEYS[1], i - 1, cjson.encode(v))
  end
end
if ARGV[2] ~= '' then
  redis.call('lpush', KEYS[1], ARGV[2])
  redis.call('ltrim', KEYS[1], 0, tonumber(ARGV[3]) - 1)
end
if redis.call('exists', KEYS[1]) == 1 then redis.call('expire', KEYS[1], ARGV[4]) end
return 1`;

/**
 * The simulator's list, shared by every process on one Redis and QUEUE_PREFIX (the key must be under its
 * {hash tag}). Bounded: the newest `keep` videos, gone `ttlSeconds` after the last change.
 */
export function redisLiveVideos(opts: { redis: RedisClient; key: string; keep?: number; ttlSeconds?: number }): LiveVideoStore {
  const keep = opts.keep ?? 20;
  const ttl = opts.ttlSeconds ?? 7 * 24 * 3600;
  const update = (endId: string, video: LiveVideo | null) =>
    opts.redis.eval(UPDATE, 1, opts.key, endId, video ? JSON.stringify(video) : '', keep, ttl);
  return {
    async add(video, o) {
      await update(o?.endOthers ? '*' : '', video);
    },
    async end(id) {
      if (id && id !== '*') await update(id, null);
    },
    async list() {
      const items = await opts.redis.lrange(opts.key, 0, -1);
      return items.map((raw) => JSON.parse(raw) as LiveVideo).reverse();
    },
  };
}
