import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { eventually, startJobsApp, uniquePsid, type JobsTestApp } from './jobs-harness.js';

/**
 * Graph answers one customer after 3 s while the Send API gives up after 1 s: every send to them "times
 * out" after Graph already has the message. Nothing may be sent twice, and the customer's order updates
 * must arrive in the order of the events (confirmed before packed).
 */
describe('when Graph is slower than SEND_API_TIMEOUT_MS for one customer', () => {
  let t: JobsTestApp;
  beforeAll(async () => {
    t = await startJobsApp({ SEND_API_TIMEOUT_MS: '1000' });
  });
  afterAll(() => t.close());

  it('sends "confirmed" and "packed" once each, in that order, and records their delivery as unknown', async () => {
    const psid = uniquePsid('slow');
    const userId = await makeUser(t.db, { psid });
    await t.db.query('UPDATE users SET last_message_at = NOW() WHERE id = ?', [userId]);
    const productId = await makeProduct(t.db, { stock: 10, price: '1000.00' });
    const placed = await t.app.orders.createOrder(seedOrderPayload(userId, productId), { actor: 'api' });
    if (!placed.success) throw new Error(placed.error);
    await t.graph.waitFor(() => t.graph.sentTo(psid).length >= 2); // the receipt, at normal speed

    const arrivals: string[] = []; // what reached Graph for this customer, in arrival order
    t.graph.events.on('request', ({ body }: { body: string }) => {
      if (body.includes(psid)) arrivals.push((JSON.parse(body) as { message?: { text?: string } }).message?.text ?? '');
    });
    t.graph.setDelayFor(psid, 3000);
    expect((await t.app.orders.confirmOrder(placed.order.id, undefined, 'admin:test')).success).toBe(true);

    const updates = await eventually(async () => {
      const [rows] = await t.db.query<RowDataPacket[]>(
        `SELECT id, status, attempts, last_error FROM notification_queue
         WHERE order_id = ? AND recipient_psid = ? AND notification_type <> 'order_received' ORDER BY id`,
        [placed.order.id, psid],
      );
      return rows.length === 2 && rows.every((r) => r.status !== 'pending' && r.status !== 'processing') && rows;
    }, 30_000, 'both updates settled');
    await t.graph.waitFor(() => t.graph.sentTo(psid).length >= 4, 10_000); // the slow answers land

    const isConfirmed = (s: string) => s.includes('is confirmed');
    const isPacked = (s: string) => s.includes('is being packed');
    expect(arrivals.filter(isConfirmed)).toHaveLength(1);
    expect(arrivals.filter(isPacked)).toHaveLength(1);
    expect(arrivals.findIndex(isConfirmed)).toBeLessThan(arrivals.findIndex(isPacked));
    expect(updates.map((r) => r.status)).toEqual(['unknown', 'unknown']);
    expect(updates.every((r) => String(r.last_error).includes('delivery of part 1 unknown'))).toBe(true);
    const metrics = (await t.app.metrics.render()).body;
    expect(metrics).toMatch(/^quicksell_notifications_delivery_unknown [1-9]/m);
    t.graph.setDelayFor(psid, 0);
  });
});
