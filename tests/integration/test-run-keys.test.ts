import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deleteRunKeys } from '../helpers/global-setup.js';
import { testPrefix } from '../helpers/test-prefix.js';
import { TEST_REDIS_URL } from '../helpers/test-redis.js';

/**
 * A test run deletes the Redis keys its test apps left, as it drops its database: BullMQ's queues keep their
 * jobs and the bot its states, and before this every run left thousands of keys behind on a shared Redis.
 */
describe('the test run and its Redis keys', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('every test prefix lies under the run prefix that the teardown deletes', () => {
    const run = inject('redisPrefix');
    expect(testPrefix()).toMatch(new RegExp(`^\\{${run}test-[0-9a-f]{8}\\}$`));
    expect(testPrefix('sim').startsWith(`{${run}sim-`)).toBe(true);
    expect(testPrefix()).not.toBe(testPrefix());
  });

  it("deletes every key of the run's prefixes and none of another run's, however alike", async () => {
    const run = `qs-test-t${randomUUID().slice(0, 8)}-`;
    const ours = [`{${run}test-aaaa}:notifications:n-1`, `{${run}sim-bbbb}:bot:state:x`, `{${run}x-cccc}`];
    const theirs = [`{${run.slice(0, -1)}0-test-aaaa}:k`, `{other-${run}}:k`, `${run}no-tag`];
    for (const key of [...ours, ...theirs]) await redis.set(key, '1');
    try {
      expect(await deleteRunKeys(TEST_REDIS_URL, run)).toBe(ours.length);
      expect(await redis.exists(...ours)).toBe(0);
      expect(await redis.exists(...theirs)).toBe(theirs.length);
    } finally {
      await redis.unlink(...theirs, ...ours);
    }
  });
});
