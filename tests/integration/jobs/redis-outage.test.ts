import { spawn, type ChildProcess } from 'node:child_process';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { jobIds, QUEUES } from '../../../src/jobs/index.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { eventually, startJobsApp, uniquePsid, type JobsTestApp } from './jobs-harness.js';
import { restartablePorts } from '../../../bench/chaos/ports.js';

/**
 * A Redis of our own that the test stops and starts again on the same port: one below the ephemeral range
 * (bench/chaos/ports.ts), which the kernel cannot hand to an outgoing connection while the server is down.
 */
const freePort = async (): Promise<number> => (await restartablePorts(1))[0]!;

function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) resolve(child);
    });
    child.on('error', reject);
  });
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('when Redis is down while orders are placed', () => {
  let redis: ChildProcess | null = null;
  let t: JobsTestApp | null = null;
  afterAll(async () => {
    await t?.close();
    if (redis) await stopRedis(redis);
  });

  it('the orders succeed, and once Redis is back every notification is delivered exactly once', { timeout: 90_000 }, async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const adminPsid = uniquePsid('outage-admin');
    t = await startJobsApp({ REDIS_URL: `redis://127.0.0.1:${port}`, ADMIN_PSIDS: adminPsid });
    const productId = await makeProduct(t.db, { stock: 20 });

    await stopRedis(redis);
    const placed: Array<{ orderId: number; orderNumber: string; psid: string }> = [];
    for (let i = 0; i < 3; i++) {
      const psid = uniquePsid('outage');
      const userId = await makeUser(t.db, { psid });
      const res = await t.app.orders.createOrder(seedOrderPayload(userId, productId));
      expect(res.success).toBe(true);
      if (res.success) placed.push({ orderId: res.order.id, orderNumber: res.order.order_number, psid });
    }
    const ids = placed.map((p) => p.orderId);
    const [unpublished] = await t.db.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM notification_queue WHERE order_id IN (?) AND published_at IS NULL`,
      [ids],
    );
    expect(Number(unpublished[0]?.n)).toBe(6); // a receipt and an admin alert per order, waiting in the outbox

    // Redis comes back empty (no persistence): the relay publishes the outbox, the workers deliver it.
    redis = await startRedis(port);
    for (const p of placed) {
      await t.graph.waitFor(() => t!.graph.sentTo(p.psid).length >= 2, 30_000);
      await t.graph.waitFor(() => t!.graph.sentTo(adminPsid).some((m) => m.body.message?.text?.includes(p.orderNumber)), 30_000);
    }
    await eventually(async () => {
      const [r] = await t!.db.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM notification_queue WHERE order_id IN (?) AND status <> 'completed'`,
        [ids],
      );
      return Number(r[0]?.n) === 0;
    }, 30_000, 'all notification rows completed');
    // A relay pass after delivery adds nothing and sends nothing again.
    await t.app.jobs.relayOnce();
    for (const p of placed) {
      expect(t.graph.sentTo(p.psid).map((m) => m.body.message?.text ?? 'receipt')).toEqual(['receipt', `✅ Order ${p.orderNumber} received! Total: ₱2,100.00`]);
      expect(t.graph.sentTo(adminPsid).filter((m) => m.body.message?.text?.includes(p.orderNumber))).toHaveLength(1);
      // the expiry job of each order was scheduled by the relay too
      const job = await t.app.jobs.queues[QUEUES.reservationExpiry].getJob(jobIds.expiry(p.orderId));
      expect(await job?.getState()).toBe('delayed');
    }
  });

  it('the app still shuts down promptly while Redis is unreachable', async () => {
    const port = await freePort();
    const own = await startRedis(port);
    const app = await startJobsApp({ REDIS_URL: `redis://127.0.0.1:${port}` });
    await stopRedis(own);
    const closed = await Promise.race([app.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still closing'), 8000))]);
    expect(closed).toBe('closed');
  });
});
