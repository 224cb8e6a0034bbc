import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from '../../../src/db/redis.js';
import { createNotificationWaiters } from '../../../src/jobs/notification-waiters.js';
import { testConfig } from '../../helpers/test-config.js';
import { testPrefix } from '../../helpers/test-prefix.js';

/** A row that settles hands over to the rows waiting for it at once, not at their next delayed look. */
describe('notification waiters', () => {
  const prefix = testPrefix('waiters');
  let redis: RedisClient;
  let queue: Queue;
  beforeAll(() => {
    redis = createRedis(testConfig().REDIS_URL);
    queue = new Queue('notifications', { connection: redis, prefix });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  it('promotes the delayed jobs registered under a row when it settles, and only those', async () => {
    const waiters = createNotificationWaiters(redis, queue, prefix);
    const hour = 3600_000;
    const [a, b, other] = await Promise.all(['n-2', 'n-3', 'n-9'].map((jobId) => queue.add('send', {}, { jobId, delay: hour })));
    await waiters.add(1, a!.id!);
    await waiters.add(1, b!.id!);
    await waiters.add(8, other!.id!);

    await waiters.wake(1);
    expect(await a!.getState()).toBe('waiting');
    expect(await b!.getState()).toBe('waiting');
    expect(await other!.getState()).toBe('delayed');
    await waiters.wake(1); // registrations are used once; a second wake finds none
    expect(await redis.exists(`${prefix}:notifications:waiting-on:1`)).toBe(0);
  });

  it('ignores registered jobs that are gone or not delayed', async () => {
    const waiters = createNotificationWaiters(redis, queue, prefix);
    const running = await queue.add('send', {}, { jobId: 'n-21' });
    await waiters.add(20, 'n-404');
    await waiters.add(20, running.id!);
    await waiters.wake(20);
    expect(await running.getState()).toBe('waiting');
  });
});
