import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { jobIds, QUEUES } from '../../../src/jobs/index.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';
import { eventually, finishedJob, privateDatabase, startJobsApp, type JobsTestApp } from './jobs-harness.js';
import { testPrefix } from '../../helpers/test-prefix.js';

describe('scheduled maintenance', () => {
  let t: JobsTestApp;
  beforeAll(async () => {
    // the every-minute sweeper would race the cleanup task under test: push it out of the way
    t = await startJobsApp({ RETENTION_DAYS: '30', METRICS_RETENTION_DAYS: '90', CLEANUP_CRON: '15 3 * * *', EXPIRY_SWEEP_INTERVAL_MS: '3600000' });
  });
  afterAll(() => t.close());

  const maintenance = () => t.app.jobs.queues[QUEUES.maintenance];

  /** Run one maintenance task now through the real queue and worker; resolves with its result. */
  async function runTask(task: string): Promise<unknown> {
    const job = await finishedJob(maintenance(), (await maintenance().add(task, { task })).id!);
    if ((await job.getState()) === 'failed') throw new Error(job.failedReason);
    return job.returnvalue ?? true;
  }

  it('declares the relay, the expiry sweeper and the two cleanup jobs as job schedulers', async () => {
    const schedulers = await maintenance().getJobSchedulers();
    const byId = Object.fromEntries(schedulers.map((s) => [s.key, s]));
    expect(Object.keys(byId).sort()).toEqual(['expire-stale-reservations', 'expiry-sweep', 'outbox-relay', 'purge-old-rows']);
    expect(byId['outbox-relay']?.every).toBe(Number(t.config.OUTBOX_RELAY_INTERVAL_MS));
    expect(byId['expiry-sweep']?.every).toBe(3_600_000);
    expect(byId['purge-old-rows']?.pattern).toBe('15 3 * * *');
    expect(byId['purge-old-rows']?.tz).toBe('Asia/Manila');
  });

  it('purges completed outbox rows and metrics past their retention, keeping failed, open and recent ones', async () => {
    // Rows written already settled (a pending row would be picked up by the relay and touched), created 40
    // days ago and last updated `days` ago: retention counts from the last update, not from the creation.
    const old = async (status: string, days: number) => {
      const [res] = await t.db.query<ResultSetHeader>(
        `INSERT INTO notification_queue (recipient_type, recipient_psid, notification_type, status, created_at, updated_at)
         VALUES ('admin', 'purge-test', 'low_stock', ?, NOW() - INTERVAL 40 DAY, NOW() - INTERVAL ? DAY)`,
        [status, days],
      );
      return res.insertId;
    };
    const oldDone = await old('completed', 31);
    const recentDone = await old('completed', 29);
    const oldFailed = await old('failed', 200);
    const [p] = await t.db.query<ResultSetHeader>(
      `INSERT INTO order_processing_queue (order_id, queue_type, status, updated_at) VALUES (1, 'fulfillment', 'completed', NOW() - INTERVAL 31 DAY)`,
    );
    const [m1] = await t.db.query<ResultSetHeader>(
      `INSERT INTO order_metrics (order_id, total_processing_duration_ms, created_at) VALUES (900001, 5, NOW() - INTERVAL 91 DAY)`,
    );
    const [m2] = await t.db.query<ResultSetHeader>(
      `INSERT INTO order_metrics (order_id, total_processing_duration_ms, created_at) VALUES (900002, 5, NOW() - INTERVAL 89 DAY)`,
    );

    // the chat reply ledger: kept a day (re-runs of a turn come within minutes)
    await t.db.query(
      `INSERT INTO chat_replies (reply_key, owner, state, started_at) VALUES (REPEAT('a', 64), 'old', 'sent', NOW() - INTERVAL 25 HOUR), (REPEAT('b', 64), 'new', 'sent', NOW() - INTERVAL 23 HOUR)`,
    );

    const result = (await runTask('purge-old-rows')) as Record<string, number>;
    expect(result.notification_queue).toBeGreaterThanOrEqual(1);
    expect(result.chat_replies).toBe(1);
    const [ledger] = await t.db.query<RowDataPacket[]>(`SELECT owner FROM chat_replies WHERE reply_key IN (REPEAT('a', 64), REPEAT('b', 64))`);
    expect(ledger.map((r) => r.owner)).toEqual(['new']);

    const ids = async (sql: string, params: unknown[]) => (await t.db.query<RowDataPacket[]>(sql, params))[0].map((r) => Number(r.id));
    expect(await ids('SELECT id FROM notification_queue WHERE id IN (?)', [[oldDone, recentDone, oldFailed]])).toEqual([recentDone, oldFailed]);
    expect(await ids('SELECT id FROM order_processing_queue WHERE id = ?', [p.insertId])).toEqual([]);
    expect(await ids('SELECT id FROM order_metrics WHERE id IN (?)', [[m1.insertId, m2.insertId]])).toEqual([m2.insertId]);
  });

  it('the stale-reservation cleanup expires pending orders past their reservation time through the engine', async () => {
    const userId = await makeUser(t.db, { psid: 'cleanup-buyer' });
    const productId = await makeProduct(t.db, { stock: 5 });
    const placed = await t.app.orders.createOrder(seedOrderPayload(userId, productId));
    if (!placed.success) throw new Error(placed.error);
    const orderId = placed.order.id;
    // its delayed expiry job is gone and its time has passed (as after a Redis data loss)
    await (await eventually(async () => t.app.jobs.queues[QUEUES.reservationExpiry].getJob(jobIds.expiry(orderId))))!.remove();
    await t.db.query('UPDATE orders SET expires_at = NOW() - INTERVAL 1 MINUTE WHERE id = ?', [orderId]);
    await t.db.query('UPDATE inventory_reservations SET expires_at = NOW() - INTERVAL 1 MINUTE WHERE order_id = ?', [orderId]);

    const result = (await runTask('expire-stale-reservations')) as { expired: number; orphanReservations: number };
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(result.orphanReservations).toBe(0);
    const order = await t.app.orders.getOrder(orderId);
    expect(order?.order_status).toBe('expired');
    expect(order?.history.at(-1)?.changed_by).toBe('worker:cleanup');
    const product = await t.app.orders.getProduct(productId);
    expect(product?.reserved_quantity).toBe(0);
  });
});

describe('process roles', () => {
  it('ROLE=web serves HTTP and runs no workers; ROLE=worker runs workers and no HTTP', async () => {
    const database = await privateDatabase();
    const prefix = testPrefix('roles');
    const web = await buildApp(testConfig({ ROLE: 'web', DATABASE_URL: database.url, QUEUE_PREFIX: prefix }));
    const worker = await buildApp(testConfig({ ROLE: 'worker', DATABASE_URL: database.url, QUEUE_PREFIX: prefix }));
    try {
      await web.start();
      expect(web.http).not.toBeNull();
      expect(await web.jobs.queues[QUEUES.notifications].getWorkersCount()).toBe(0);
      await worker.start();
      expect(worker.http).toBeNull();
      await eventually(async () => (await web.jobs.queues[QUEUES.notifications].getWorkersCount()) === 1);
    } finally {
      await web.close();
      await worker.close();
      await database.drop();
    }
  });
});
