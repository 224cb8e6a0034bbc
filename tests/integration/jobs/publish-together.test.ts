import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { createRedis, type RedisClient } from '../../../src/db/redis.js';
import { createPublisher, type Publisher } from '../../../src/jobs/publisher.js';
import { jobIds, QUEUE_NAMES, QUEUES, type QueueName } from '../../../src/jobs/queues.js';
import type { OutboxRows } from '../../../src/orders/index.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';
import { countedPool } from '../../helpers/counted-pool.js';
import { engineFixture, rows, type EngineFixture } from '../orders/engine-fixture.js';

/**
 * After commit every order publishes its outbox rows (src/jobs/publisher.ts). The orders of one group
 * commit finish together; their publishes go to BullMQ and MariaDB as one: one addBulk per queue, and one
 * statement per step for all of them, where each order took three statements (notifications marked
 * published, the processing rows read, then marked) and two Redis round trips of its own.
 */
describe('when the orders of one group commit publish their outbox rows at once', () => {
  let engine: EngineFixture;
  let redis: RedisClient;
  let queues: Record<QueueName, Queue>;
  let counted: ReturnType<typeof countedPool>;
  let publisher: Publisher;

  beforeAll(() => {
    engine = engineFixture();
    const config = testConfig();
    redis = createRedis(config.REDIS_URL);
    queues = Object.fromEntries(QUEUE_NAMES.map((n) => [n, new Queue(n, { connection: redis, prefix: config.QUEUE_PREFIX })])) as Record<QueueName, Queue>;
    counted = countedPool(engine.db);
    publisher = createPublisher({ db: counted.db, logger: pino({ level: 'silent' }), queues, producer: redis, timeoutMs: 5000, republishAfterMs: 60_000 });
  });
  afterAll(async () => {
    for (const q of Object.values(queues ?? {})) await q.obliterate({ force: true }).then(() => q.close());
    await redis?.quit();
    await engine?.close();
  });

  it('adds every job and marks every row published with three statements in all', async () => {
    const productId = await makeProduct(engine.db, { stock: 100 });
    const placed: OutboxRows[] = [];
    for (let i = 0; i < 8; i++) {
      const userId = await makeUser(engine.db, { psid: `pt-${Date.now()}-${i}` });
      const res = await engine.orders.createOrder(seedOrderPayload(userId, productId));
      expect(res.success).toBe(true);
      placed.push(engine.published.at(-1)!);
    }
    const receipts = placed.flatMap((r) => r.notificationIds);
    const broadcasts = placed.flatMap((r) => r.broadcastIds ?? []);
    const notificationIds = [...receipts, ...broadcasts];
    const processingIds = placed.flatMap((r) => r.processingIds);
    expect(receipts).toHaveLength(8); // the customer's receipt, per order
    expect(broadcasts).toHaveLength(8); // the admins' alert, per order
    expect(processingIds).toHaveLength(8); // the reservation-expiry job, per order

    counted.reset();
    await Promise.all(placed.map((r) => publisher.publish(r)));

    expect(counted.queries()).toBe(3);
    for (const id of receipts) expect(await queues[QUEUES.notifications].getJob(jobIds.notification(id))).toBeDefined();
    // the admins' alerts only fan out: on their own queue, outside the Send API rate limit
    for (const id of broadcasts) {
      expect(await queues[QUEUES.fanOut].getJob(jobIds.notification(id))).toBeDefined();
      expect(await queues[QUEUES.notifications].getJob(jobIds.notification(id))).toBeUndefined();
    }
    const orderIds = await rows(engine.db, 'SELECT order_id FROM order_processing_queue WHERE id IN (?)', [processingIds]);
    for (const r of orderIds) expect(await queues[QUEUES.reservationExpiry].getJob(jobIds.expiry(Number(r.order_id)))).toBeDefined();
    const unpublished = [
      ...(await rows(engine.db, 'SELECT id FROM notification_queue WHERE id IN (?) AND published_at IS NULL', [notificationIds])),
      ...(await rows(engine.db, 'SELECT id FROM order_processing_queue WHERE id IN (?) AND published_at IS NULL', [processingIds])),
    ];
    expect(unpublished).toEqual([]);
  });
});
