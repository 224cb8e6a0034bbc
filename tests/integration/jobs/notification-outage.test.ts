import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { privateDatabase } from '../../helpers/private-database.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { jobIds, QUEUES } from '../../../src/jobs/index.js';
import { eventually, lowStockPayload, startJobsApp, uniquePsid, type JobsTestApp } from './jobs-harness.js';

/**
 * Notification rows stranded across a MariaDB outage (issue 12, chaos run: 8 rows left 'pending', 2 orders
 * without their success message). The app reaches MariaDB through a proxy the test cuts; the test itself
 * reads and writes through a direct connection. Few attempts and a long backoff so that, before the fix,
 * the outage used up a job's attempts within the test.
 */
describe('when MariaDB goes away while notifications are retried', () => {
  let proxy: TcpProxy;
  let database: { url: string; drop(): Promise<void> };
  let direct: mysql.Connection;
  let t: JobsTestApp;

  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(inject('databaseUrl')).port || 3306));
    database = await privateDatabase();
    direct = await mysql.createConnection({ uri: database.url });
    t = await startJobsApp(
      { JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '1500', OUTBOX_REPUBLISH_AFTER_MS: '1000', OUTBOX_RELAY_INTERVAL_MS: '300' },
      { databaseUrl: proxy.via(database.url), web: false },
    );
  });
  afterAll(async () => {
    proxy?.restore();
    await t?.close();
    await direct?.end();
    await proxy?.close();
    await database?.drop();
  });

  const row = async (id: number) => {
    const [rows] = await direct.query<RowDataPacket[]>('SELECT * FROM notification_queue WHERE id = ?', [id]);
    return rows[0]!;
  };
  const insert = async (psid: string, name: string) => {
    const [res] = await direct.query<mysql.ResultSetHeader>(
      `INSERT INTO notification_queue (recipient_type, recipient_psid, notification_type, payload) VALUES ('admin', ?, 'low_stock', ?)`,
      [psid, JSON.stringify(lowStockPayload(name))],
    );
    return res.insertId;
  };
  const publish = (id: number) => t.app.jobs.publish({ notificationIds: [id], processingIds: [] });
  const code2 = { status: 503, error: { code: 2, message: 'Service temporarily unavailable' } };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /**
   * Puts a row that failed for good back to an open state (`set`), as if the processor's last mark had been
   * lost. The worker's 'failed' event marks the row failed once more, a moment after the processor did; under
   * load it came after this write and undid it (a CI run timed out): write until the row stays open.
   */
  const reopen = (id: number, set: string) =>
    eventually(
      async () => {
        await direct.query(`UPDATE notification_queue SET ${set} WHERE id = ? AND status = 'failed'`, [id]);
        await sleep(300);
        return (await row(id)).status !== 'failed';
      },
      10_000,
      'the row stayed open',
    );

  it('a retry that meets the outage does not use up the attempts: sent once when MariaDB is back', { timeout: 60_000 }, async () => {
    const psid = uniquePsid('outage');
    t.graph.failNext(code2);
    const id = await insert(psid, 'Outage Rice');
    await publish(id);
    await eventually(async () => String((await row(id)).last_error).includes('Graph code 2'), 15_000, 'the first try failed with code 2');
    proxy.cut();
    // longer than the retries the job had left (1.5 s, then 3 s later): before the fix it failed for good
    await sleep(7000);
    const job = (await t.app.jobs.queues[QUEUES.notifications].getJob(jobIds.notification(id)))!;
    expect(await job.getState()).not.toBe('failed');
    expect(job.attemptsMade).toBe(1); // only the Graph error counted
    proxy.restore();
    await eventually(async () => t.graph.sentTo(psid).length > 0, 20_000, 'the message was sent after the outage');
    await eventually(async () => (await row(id)).status === 'completed', 10_000, 'the row completed');
    await sleep(1500); // a second send would show up by now
    expect(t.graph.sentTo(psid)).toHaveLength(1);
  });

  it('a "try again" from Graph that comes back during the outage still frees the claim: sent once afterwards', { timeout: 60_000 }, async () => {
    const psid = uniquePsid('release');
    t.graph.setDelayFor(psid, 1500);
    t.graph.failNext(code2);
    const id = await insert(psid, 'Release Rice');
    await publish(id);
    await eventually(async () => (await row(id)).sending_started_at !== null, 10_000, 'the part was claimed');
    proxy.cut(); // Graph answers code 2 while MariaDB is away: the claim must still be released
    await sleep(3000);
    proxy.restore();
    t.graph.setDelayFor(psid, 0);
    await eventually(async () => ['completed', 'unknown', 'failed'].includes(String((await row(id)).status)), 30_000, 'the row settled');
    expect((await row(id)).status).toBe('completed');
    expect(t.graph.sentTo(psid)).toHaveLength(1);
  });

  it('the relay re-publishes an open row whose job failed for good, and the rows behind it follow in order', { timeout: 60_000 }, async () => {
    const psid = uniquePsid('stranded');
    t.graph.failNext(code2, 3); // every attempt of the first row fails
    const first = await insert(psid, 'First Rice');
    await publish(first);
    await eventually(async () => (await row(first)).status === 'failed', 20_000, 'the first row failed');
    // The processor's last mark was lost to an outage: the row is still open, its job failed for good.
    await reopen(first, `status = 'pending', published_at = NOW() - INTERVAL 1 HOUR`);
    const second = await insert(psid, 'Second Rice'); // waits behind the first (same admin, same order: none)
    await publish(second);
    await eventually(async () => t.graph.sentTo(psid).length === 2, 20_000, 'both rows were sent');
    await sleep(1500);
    expect(t.graph.sentTo(psid).map((m) => JSON.stringify(m.body).includes('First Rice'))).toEqual([true, false]);
    expect((await row(first)).status).toBe('completed');
    expect((await row(second)).status).toBe('completed');
  });

  it('a row whose send was in flight when its job died is never sent again: the relay settles it as delivery unknown', { timeout: 60_000 }, async () => {
    const psid = uniquePsid('inflight');
    t.graph.failNext(code2, 3);
    const id = await insert(psid, 'Inflight Rice');
    await publish(id);
    await eventually(async () => (await row(id)).status === 'failed', 20_000, 'the row failed');
    // As if the last attempt had claimed the part and died while Graph was answering.
    await reopen(id, `status = 'processing', sending_started_at = NOW(3) - INTERVAL 1 HOUR, published_at = NOW() - INTERVAL 1 HOUR`);
    await eventually(async () => (await row(id)).status === 'unknown', 20_000, 'the row settled as delivery unknown');
    expect(String((await row(id)).last_error)).toContain('delivery of part 1 unknown');
    expect(t.graph.sentTo(psid)).toHaveLength(0);
  });
});
