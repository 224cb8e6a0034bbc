import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineTurnScripts, type TurnScripts } from '../../../src/bot/turn-scripts.js';
import { testPrefix } from '../../helpers/test-prefix.js';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

/**
 * The turn runner's two one-step scripts on the real Redis: the pop that also ends a drain whose inbox it
 * empties, and the dialog-state write under the user's lock.
 */
let redis: Redis;
let scripts: TurnScripts;
const prefix = testPrefix('ts');
const k = (name: string) => `${prefix}:${name}`;
beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
  scripts = defineTurnScripts(redis);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`); // this file's prefix only
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** a user with `events` queued, its lock held by `holder`, pending, and an outage marker */
async function user(name: string, events: string[], holder: string) {
  const keys = { inbox: k(`inbox:${name}`), lock: k(`lock:${name}`), pending: k('pending'), ready: k('ready'), outage: k(`outage:${name}`) };
  await redis.del(keys.inbox, keys.lock, keys.outage);
  if (events.length) await redis.rpush(keys.inbox, ...events);
  await redis.set(keys.lock, holder, 'PX', 60_000);
  await redis.sadd(keys.pending, name);
  await redis.set(keys.outage, '{"key":"e1","since":1}');
  const pop = (head: string, token: string, clearOutage: boolean) =>
    scripts.popHead(keys.lock, keys.inbox, keys.pending, keys.ready, keys.outage, token, name, '0', head, clearOutage ? '1' : '0') as Promise<[number, string | null, number]>;
  return { keys, pop };
}

describe('when a finished turn is popped from its inbox', () => {
  it('returns the next event and keeps the lock while events are left', async () => {
    const { keys, pop } = await user('u1', ['e1', 'e2'], 'run-a');
    expect(await pop('e1', 'run-a', false)).toEqual([0, 'e2', 0]);
    expect(await redis.lrange(keys.inbox, 0, -1)).toEqual(['e2']);
    expect(await redis.get(keys.lock)).toBe('run-a');
    expect(await redis.sismember(keys.pending, 'u1')).toBe(1);
    expect(await redis.exists(keys.outage)).toBe(1);
  });

  it('ends the drain when it empties the inbox: the lock, the pending mark and (when asked) the outage marker go', async () => {
    const { keys, pop } = await user('u2', ['e1'], 'run-a');
    expect(await pop('e1', 'run-a', true)).toEqual([0, null, 1]);
    expect(await redis.llen(keys.inbox)).toBe(0);
    expect(await redis.exists(keys.lock)).toBe(0);
    expect(await redis.sismember(keys.pending, 'u2')).toBe(0);
    expect(await redis.exists(keys.outage)).toBe(0);
  });

  it("leaves another run's lock alone, and pops nothing when the event is no longer the head", async () => {
    const { keys, pop } = await user('u3', ['e2'], 'run-b');
    expect(await pop('e1', 'run-a', false)).toEqual([0, 'e2', 0]);
    expect(await redis.lrange(keys.inbox, 0, -1)).toEqual(['e2']);
    await redis.del(keys.inbox);
    expect(await pop('e2', 'run-a', false)).toEqual([0, null, 1]);
    expect(await redis.get(keys.lock)).toBe('run-b');
  });
});

describe("when a turn saves its dialog state under the user's lock", () => {
  it('writes it, with its time to live, and extends the lock while the lock is this run’s', async () => {
    await redis.set(k('lock:s1'), 'run-a', 'PX', 1000);
    expect(await scripts.saveUnderLease(k('lock:s1'), k('state:s1'), 'run-a', '60000', '{"v":1}', '3600')).toBe(1);
    expect(await redis.get(k('state:s1'))).toBe('{"v":1}');
    expect(await redis.ttl(k('state:s1'))).toBeGreaterThan(3500);
    expect(await redis.pttl(k('lock:s1'))).toBeGreaterThan(50_000);
  });

  it('writes nothing once another run holds the lock, or nobody does', async () => {
    await redis.set(k('state:s2'), 'before');
    await redis.set(k('lock:s2'), 'run-b', 'PX', 60_000);
    expect(await scripts.saveUnderLease(k('lock:s2'), k('state:s2'), 'run-a', '60000', 'after', '3600')).toBe(0);
    await redis.del(k('lock:s2'));
    expect(await scripts.saveUnderLease(k('lock:s2'), k('state:s2'), 'run-a', '60000', 'after', '3600')).toBe(0);
    expect(await redis.get(k('state:s2'))).toBe('before');
    expect(await redis.pttl(k('lock:s2'))).toBe(-2);
  });
});
