import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { eventually, startJobsApp, uniquePsid, type JobsTestApp } from './jobs-harness.js';

/**
 * Many orders alert the same admin while Graph keeps failing (temporarily, 5xx) the alert about the first
 * one. The alerts about the other orders must not queue behind that one's retries: an admin's alerts about
 * different orders are independent messages (found by `npm run chaos`: every alert of an admin waited for
 * the admin's oldest open alert, so a slow or failing send held all of them and the admins' alerts never
 * drained). Every alert still goes out exactly once, the failing one too once Graph takes it.
 */
describe("an admin's alerts about different orders", () => {
  let t: JobsTestApp;
  const admin = uniquePsid('drain-admin');
  beforeAll(async () => {
    // enough attempts that the failing alert outlives the others (old code: they waited for it, it failed for good)
    t = await startJobsApp({ ADMIN_PSIDS: admin, JOB_ATTEMPTS: '12', JOB_BACKOFF_MS: '100' });
  });
  afterAll(() => t.close());

  it('go out while an alert about another order is being retried, each exactly once', async () => {
    const productId = await makeProduct(t.db, { stock: 1000, price: '1000.00' });
    const orderIds: number[] = [];
    const alertOf = (body: string) => /ADMIN_CONFIRM:(\d+)"/.exec(body)?.[1];
    const held = { orderId: -1, released: false };
    t.graph.failWhere((body) =>
      !held.released && body.includes(admin) && alertOf(body) === String(held.orderId)
        ? { status: 500, error: { message: 'An unexpected error has occurred. Please retry your request later.', code: 2 } }
        : null,
    );
    const alerts = () => t.graph.sentTo(admin).map((m) => alertOf(JSON.stringify(m.body))).filter((id): id is string => id !== undefined);

    for (let i = 0; i < 10; i++) {
      const userId = await makeUser(t.db, { psid: uniquePsid('drain-buyer') });
      const placed = await t.app.orders.createOrder(seedOrderPayload(userId, productId), { actor: 'api' });
      if (!placed.success) throw new Error(placed.error);
      orderIds.push(placed.order.id);
      if (i === 0) held.orderId = placed.order.id; // its alert fails until the other nine arrived
    }
    const others = orderIds.slice(1).map(String);
    await t.graph.waitFor(() => others.every((id) => alerts().includes(id)), 60_000);
    expect(alerts()).not.toContain(String(held.orderId)); // the first alert is still being retried
    held.released = true;

    await t.graph.waitFor(() => alerts().includes(String(held.orderId)), 60_000);
    const rows = await eventually(async () => {
      const [r] = await t.db.query<RowDataPacket[]>(
        'SELECT order_id, status FROM notification_queue WHERE recipient_psid = ? AND order_id IN (?)',
        [admin, orderIds],
      );
      return r.length === orderIds.length && r.every((x) => x.status === 'completed') && r;
    }, 30_000, "every admin alert's row completed");
    expect(rows).toHaveLength(10);
    const sent = alerts();
    for (const id of orderIds) expect(sent.filter((x) => x === String(id))).toHaveLength(1);
    expect(sent.at(-1)).toBe(String(held.orderId));
  }, 150_000);
});
