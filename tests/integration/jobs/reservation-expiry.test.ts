import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds, QUEUES } from '../../../src/jobs/index.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { eventually, startJobsApp, uniquePsid, type JobsTestApp } from './jobs-harness.js';

/**
 * Reservation expiry through the real delayed job and the sweeper. Orders are made due by moving their
 * expiry times into the past (RESERVATION_TTL_MINUTES is at least a minute); the engine decides.
 */
describe('reservation expiry', () => {
  let t: JobsTestApp;
  beforeAll(async () => {
    t = await startJobsApp({ EXPIRY_SWEEP_INTERVAL_MS: '1000' });
  });
  afterAll(() => t.close());

  const expiryQueue = () => t.app.jobs.queues[QUEUES.reservationExpiry];

  async function pendingOrder(productId: number, quantity = 2) {
    const psid = uniquePsid('exp');
    const userId = await makeUser(t.db, { psid });
    await t.db.query('UPDATE users SET last_message_at = NOW() WHERE id = ?', [userId]);
    const res = await t.app.orders.createOrder({ ...seedOrderPayload(userId, productId, quantity), subtotal: 1000 * quantity, total_amount: 1000 * quantity + 100 });
    if (!res.success) throw new Error(res.error);
    return { orderId: res.order.id, orderNumber: res.order.order_number, psid };
  }

  /** Move the order's reservation times into the past, as if its TTL had run out. */
  async function makeDue(orderId: number) {
    await t.db.query('UPDATE orders SET expires_at = NOW() - INTERVAL 1 SECOND WHERE id = ?', [orderId]);
    await t.db.query('UPDATE inventory_reservations SET expires_at = NOW() - INTERVAL 1 SECOND WHERE order_id = ?', [orderId]);
    await t.db.query(
      `UPDATE order_processing_queue SET scheduled_at = NOW() - INTERVAL 1 SECOND WHERE order_id = ? AND queue_type = 'reservation_expiry'`,
      [orderId],
    );
  }

  /**
   * Fire an order's delayed expiry job now. The sweeper (every second in this app) may have expired a due
   * order first and dropped its job, or the job may be on its way already: both are correct, so only a
   * job still waiting makes a failed promote an error.
   */
  async function fireExpiryJob(orderId: number) {
    const job = await expiryQueue().getJob(jobIds.expiry(orderId));
    await job?.promote().catch(async (err: unknown) => {
      if ((await job.getState()) === 'delayed') throw err;
    });
  }

  async function stock(productId: number) {
    const [[p]] = (await t.db.query<RowDataPacket[]>(
      `SELECT p.stock_quantity, p.reserved_quantity,
              (SELECT COALESCE(SUM(r.quantity), 0) FROM inventory_reservations r WHERE r.product_id = p.id AND r.status = 'reserved') AS held
       FROM products p WHERE p.id = ?`,
      [productId],
    )) as unknown as [RowDataPacket[]];
    return { onHand: Number(p!.stock_quantity), reserved: Number(p!.reserved_quantity), held: Number(p!.held) };
  }

  const status = async (orderId: number) => (await t.app.orders.getOrder(orderId))!.order_status;
  const leftPending = async (orderId: number) =>
    (await t.app.orders.getOrder(orderId))!.history.filter((h) => h.from_status === 'pending').length;

  it('schedules one delayed job per order at its expires_at', async () => {
    const productId = await makeProduct(t.db, { stock: 10 });
    const { orderId } = await pendingOrder(productId);
    const job = await eventually(async () => expiryQueue().getJob(jobIds.expiry(orderId)));
    expect(await job.getState()).toBe('delayed');
    expect(job.delay).toBeGreaterThan(23 * 3600 * 1000); // RESERVATION_TTL_MINUTES default: 24 h
    await t.app.jobs.relayOnce();
    expect(await expiryQueue().getJobCountByTypes('delayed')).toBeGreaterThanOrEqual(1);
    expect((await expiryQueue().getJobs(['delayed'])).filter((j) => j.id === jobIds.expiry(orderId))).toHaveLength(1);
  });

  it('expires a due pending order once, by its job or the sweeper: stock released exactly once and the customer told', async () => {
    const productId = await makeProduct(t.db, { stock: 10 });
    const { orderId, orderNumber, psid } = await pendingOrder(productId);
    expect(await stock(productId)).toEqual({ onHand: 10, reserved: 2, held: 2 });
    await eventually(async () => expiryQueue().getJob(jobIds.expiry(orderId)));
    await makeDue(orderId);
    // Two correct paths race from here, the delayed job (fired now) and the sweeper; the outcome is the same.
    await fireExpiryJob(orderId);

    await eventually(async () => (await status(orderId)) === 'expired');
    await t.graph.waitFor(() => t.graph.sentTo(psid).some((m) => m.body.message?.text?.startsWith('⌛')));
    // give the sweeper a pass over the expired order too, and let the job (if it still exists) finish
    await t.app.jobs.queues[QUEUES.maintenance].add('expiry-sweep', { task: 'expiry-sweep' });
    await eventually(async () => (await t.app.jobs.queues[QUEUES.maintenance].getJobCountByTypes('wait', 'active')) === 0);
    await eventually(async () => ['completed', 'unknown'].includes(await expiryQueue().getJobState(jobIds.expiry(orderId))));

    expect(await stock(productId)).toEqual({ onHand: 10, reserved: 0, held: 0 });
    expect(await leftPending(orderId)).toBe(1);
    const order = await t.app.orders.getOrder(orderId);
    expect(['worker:reservation-expiry', 'worker:expiry-sweep']).toContain(order!.history.find((h) => h.to_status === 'expired')?.changed_by);
    expect(order!.reservations.every((r) => r.status === 'expired')).toBe(true);
    expect(t.graph.sentTo(psid).filter((m) => m.body.message?.text?.includes(`${orderNumber} expired`))).toHaveLength(1);
  });

  it('the sweeper expires an order whose delayed job was lost (Redis lost its data)', async () => {
    const productId = await makeProduct(t.db, { stock: 10 });
    const { orderId } = await pendingOrder(productId);
    await (await eventually(async () => expiryQueue().getJob(jobIds.expiry(orderId))))!.remove();
    await makeDue(orderId);

    await eventually(async () => (await status(orderId)) === 'expired');
    const order = await t.app.orders.getOrder(orderId);
    expect(order!.history.find((h) => h.to_status === 'expired')?.changed_by).toBe('worker:expiry-sweep');
    expect(await stock(productId)).toEqual({ onHand: 10, reserved: 0, held: 0 });
  });

  it('when a confirm races the expiry, exactly one wins for each order and the stock adds up', async () => {
    const productId = await makeProduct(t.db, { stock: 40 });
    const orders = [];
    for (let i = 0; i < 8; i++) orders.push(await pendingOrder(productId));
    for (const o of orders) await eventually(async () => expiryQueue().getJob(jobIds.expiry(o.orderId)));
    for (const o of orders) await makeDue(o.orderId);

    // All expiry jobs fire at once (the sweeper may expire some orders first); the admin's confirms arrive
    // spread over the next few tens of ms, so some land before the worker reaches their order and some after.
    await Promise.all(orders.map((o) => fireExpiryJob(o.orderId)));
    const confirms = await Promise.all(
      orders.map(async (o, i) => {
        await new Promise((r) => setTimeout(r, i * 15));
        return t.app.orders.confirmOrder(o.orderId, undefined, 'admin:race');
      }),
    );

    const finals = await Promise.all(
      orders.map((o) =>
        eventually(async () => {
          const s = await status(o.orderId);
          return ['expired', 'processing'].includes(s) && s;
        }),
      ),
    );
    const confirmed = finals.filter((s) => s === 'processing').length;
    for (const [i, o] of orders.entries()) {
      expect(await leftPending(o.orderId)).toBe(1);
      expect(confirms[i]!.success).toBe(finals[i] === 'processing');
    }
    // Confirmed orders consumed their units, expired ones gave them back; nothing is still held.
    await eventually(async () => (await stock(productId)).reserved === 0);
    expect(await stock(productId)).toEqual({ onHand: 40 - 2 * confirmed, reserved: 0, held: 0 });
    // Each customer hears exactly one outcome.
    for (const [i, o] of orders.entries()) {
      const outcome = finals[i] === 'processing' ? 'is confirmed' : 'expired';
      await t.graph.waitFor(() => t.graph.sentTo(o.psid).some((m) => m.body.message?.text?.includes(outcome)));
      const texts = t.graph.sentTo(o.psid).map((m) => m.body.message?.text ?? '');
      expect(texts.filter((x) => x.includes('is confirmed') || x.includes('expired'))).toHaveLength(1);
    }
  });

  it('settles the expiry row of an order confirmed before its time and drops its delayed job', async () => {
    const productId = await makeProduct(t.db, { stock: 10 });
    const { orderId } = await pendingOrder(productId);
    await eventually(async () => expiryQueue().getJob(jobIds.expiry(orderId)));
    expect((await t.app.orders.confirmOrder(orderId, undefined, 'admin:test')).success).toBe(true);

    // the sweeper runs every second in this app
    const row = await eventually(async () => {
      const [rows] = await t.db.query<RowDataPacket[]>(
        `SELECT status, last_error FROM order_processing_queue WHERE order_id = ? AND queue_type = 'reservation_expiry'`,
        [orderId],
      );
      return rows[0]?.status === 'completed' && rows[0];
    });
    expect(row.last_error).toMatch(/^nothing to expire: order is (confirmed|processing)$/);
    await eventually(async () => !(await expiryQueue().getJob(jobIds.expiry(orderId))));
    expect(await stock(productId)).toEqual({ onHand: 8, reserved: 0, held: 0 });
  });
});
