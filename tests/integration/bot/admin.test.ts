import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Chat, events, newPsid, pageBody, postWebhook, startHarness, type Harness } from './bot-harness.js';
import { addByName, checkoutAndPlace, ordersOf } from './shopper.js';
import { makeProduct } from '../../helpers/factories.js';
import { PNG_1PX, startFakeCdn, type FakeCdn } from '../../helpers/fake-cdn.js';

const ADMIN_A = newPsid();
const ADMIN_B = newPsid();
let h: Harness;
let adminA: Chat;
let adminB: Chat;
let cdn: FakeCdn;
beforeAll(async () => {
  cdn = await startFakeCdn();
  h = await startHarness({ workers: true, adminPsids: [ADMIN_A, ADMIN_B], mediaExtraCa: cdn.ca, overrides: { MEDIA_ALLOWED_HOSTS: '127.0.0.1' } });
  adminA = new Chat(h, ADMIN_A);
  adminB = new Chat(h, ADMIN_B);
});
afterAll(async () => {
  await h?.close();
  await cdn?.close();
});

/** A customer places an order by chat; resolves when both admins got its alert. */
async function placedOrder(opts: { stock?: number; qty?: number; payment?: RegExp } = {}) {
  const name = `Gadget ${randomUUID().slice(0, 8)}`;
  const productId = await makeProduct(h.app.db, { name, stock: opts.stock ?? 10, price: '1000.00' });
  const customer = new Chat(h);
  await addByName(customer, name, opts.qty ?? 1);
  await checkoutAndPlace(customer, opts.payment);
  const [order] = await ordersOf(customer);
  const num = String(order!.order_number);
  await h.graph.waitFor(() => [adminA, adminB].every((a) => a.texts().some((t) => t.includes(`New order ${num}`))));
  // the worker's receipt (and payment instructions) arrive on their own time: wait, so later replies are the bot's
  const paysLater = opts.payment !== undefined && !/Cash/.test(String(opts.payment));
  await h.graph.waitFor(() => customer.texts().some((t) => t.startsWith(`✅ Order ${num} received!`)) && (!paysLater || customer.texts().some((t) => /Please (send|transfer)/.test(t))));
  return { customer, order: order!, num, productId, alert: new RegExp(`New order ${num}`) };
}

const statusOf = async (id: number) => {
  const [rows] = await h.app.db.query<RowDataPacket[]>('SELECT order_status, confirmed_by, cancel_reason, tracking_number, payment_status FROM orders WHERE id = ?', [id]);
  return rows[0]!;
};

describe('an admin tapping Confirm on a new-order alert', () => {
  it('confirms the order with the admin as actor and the customer is notified', async () => {
    const { customer, order, num, alert } = await placedOrder();
    await adminA.tapIn(alert, /^Confirm$/);
    expect(adminA.lastText()).toBe(`✅ ${num} confirmed. The customer is being notified.`);
    expect((await statusOf(order.id)).confirmed_by).toBe(`admin:admin ${ADMIN_A.slice(-4)}`);
    await h.graph.waitFor(() => customer.texts().some((t) => t === `👍 Your order ${num} is confirmed! We're preparing it now.`));
  });
});

describe('when two admins tap Confirm at once', () => {
  it('confirms once and tells the other who confirmed it and when', async () => {
    const { order, num, alert } = await placedOrder();
    const pick = (chat: Chat) => {
      const m = [...chat.all()].reverse().find((x) => alert.test(x.body.message?.text ?? ''))!;
      const qr = m.body.message!.quick_replies!.find((q) => q.title === 'Confirm')!;
      return pageBody(events.quickReply(chat.psid, qr.title, qr.payload));
    };
    const res = await Promise.all([postWebhook(h.app, pick(adminA)), postWebhook(h.app, pick(adminB))]);
    expect(res.map((r) => r.statusCode)).toEqual([200, 200]);
    await h.app.bot!.idle();
    const answers = [adminA.lastText(), adminB.lastText()];
    expect(answers.filter((t) => t === `✅ ${num} confirmed. The customer is being notified.`)).toHaveLength(1);
    const loser = answers.find((t) => t.includes('already'))!;
    expect(loser).toMatch(new RegExp(`^${num} is already confirmed — by admin .{4} at .+\\. Nothing was changed\\.$`));
    const [hist] = await h.app.db.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM order_state_history WHERE order_id = ? AND to_status = 'confirmed'", [order.id]);
    expect(Number(hist[0]!.n)).toBe(1);
  });
});

describe('a non-admin sending an admin payload', () => {
  it('is refused and nothing changes', async () => {
    const { order, customer } = await placedOrder();
    for (const payload of [`ADMIN_CONFIRM:${order.id}`, `ADMIN_CANCEL:${order.id}`, `ADMIN_SHIP:${order.id}`]) {
      await customer.send(events.quickReply(customer.psid, 'Confirm', payload));
      expect(customer.lastText()).toBe('Sorry, that action is only for the shop’s admins.');
    }
    expect((await statusOf(order.id)).order_status).toBe('pending');
    const [hist] = await h.app.db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM order_state_history WHERE order_id = ?', [order.id]);
    expect(Number(hist[0]!.n)).toBe(1);
  });
});

describe('an admin cancelling from the alert', () => {
  it('asks for a reason, cancels with it, releases the stock and tells the customer', async () => {
    const { customer, order, num, productId, alert } = await placedOrder({ qty: 2 });
    await adminB.tapIn(alert, /^Cancel$/);
    expect(adminB.lastText()).toBe(`Why is ${num} being cancelled? Tap a reason or type your own.`);
    await adminB.tap(/Out of stock/);
    expect(adminB.lastText()).toMatch(new RegExp(`^❌ ${num} cancelled \\(Out of stock\\)`));
    expect(await statusOf(order.id)).toMatchObject({ order_status: 'cancelled', cancel_reason: 'Out of stock' });
    const [p] = await h.app.db.query<RowDataPacket[]>('SELECT reserved_quantity FROM products WHERE id = ?', [productId]);
    expect(p[0]!.reserved_quantity).toBe(0);
    await h.graph.waitFor(() => customer.texts().some((t) => t === `❌ Your order ${num} was cancelled. Reason: Out of stock`));
  });

  it('takes a typed reason too', async () => {
    const { order, alert } = await placedOrder();
    await adminA.tapIn(alert, /^Cancel$/);
    await adminA.say('Customer asked by phone');
    expect((await statusOf(order.id)).cancel_reason).toBe('Customer asked by phone');
  });

  it('does not cancel an order another admin confirmed while the reason was being chosen', async () => {
    const { order, num, alert } = await placedOrder();
    await adminB.tapIn(alert, /^Cancel$/);
    await adminA.tapIn(alert, /^Confirm$/);
    await adminB.tap(/Out of stock/);
    // the fulfilment worker may already have moved the confirmed order on to processing
    expect(adminB.lastText()).toMatch(new RegExp(`^${num} is already (confirmed|processing) — by .+ at .+\\. Nothing was changed\\.$`));
    const after = await statusOf(order.id);
    expect(['confirmed', 'processing']).toContain(after.order_status);
    expect(after.cancel_reason).toBeNull();
  });
});

describe('the admin menu', () => {
  it('lists pending orders, marks one shipped with a tracking number, then delivered, and shows low stock', async () => {
    const { customer, order, num, alert } = await placedOrder();
    await adminA.tapIn(alert, /^Details$/);
    expect(adminA.lastText()).toMatch(new RegExp(`^Order ${num}\\nStatus: 🕒 Waiting for confirmation`));
    await adminA.say('admin');
    await adminA.tap(/Pending orders/);
    await adminA.press(/Confirm/, new RegExp(num));
    await adminA.say('admin');
    await adminA.tap(/To ship/);
    await adminA.press(/Mark shipped/, new RegExp(num));
    expect(adminA.lastText()).toBe(`Tracking number for ${num}? Type it, or tap "No tracking no.".`);
    await adminA.say('LBC-123456789');
    expect(adminA.lastText()).toBe(`🚚 ${num} marked shipped (tracking LBC-123456789).`);
    expect(await statusOf(order.id)).toMatchObject({ order_status: 'shipped', tracking_number: 'LBC-123456789' });
    await adminA.tap(/To ship/);
    await adminA.press(/Delivered/, new RegExp(num));
    expect((await statusOf(order.id)).order_status).toBe('delivered');
    await h.graph.waitFor(() => customer.texts().some((t) => t.startsWith(`🎉 Your order ${num} was delivered`)));

    const low = `Almost gone ${randomUUID().slice(0, 6)}`;
    await makeProduct(h.app.db, { name: low, stock: 1, threshold: 5 });
    await adminA.tap(/Low stock/);
    expect(adminA.lastText()).toContain(`• ${low}: 1 left (alert at 5)`);
  });
});

describe('a customer’s orders', () => {
  it('lists them with status and cancels a pending one after a confirm step, releasing the stock', async () => {
    const { customer, order, num, productId } = await placedOrder({ qty: 3 });
    await customer.postback('MY_ORDERS', 'My orders');
    await customer.press(/Details/, new RegExp(num));
    expect(customer.lastText()).toMatch(/Status: 🕒 Waiting for confirmation/);
    await customer.tap(/Cancel order/);
    expect(customer.lastText()).toMatch(new RegExp(`^Cancel order ${num} \\(₱3,100\\.00\\)\\?`));
    await customer.tap(/Yes, cancel it/);
    // the worker's own confirmation may already have arrived after ours
    expect(customer.texts().some((t) => t.startsWith(`Done — ${num} is cancelled`))).toBe(true);
    expect(await statusOf(order.id)).toMatchObject({ order_status: 'cancelled', cancel_reason: 'Cancelled at your request' });
    await h.graph.waitFor(() => customer.texts().includes(`❌ Your order ${num} was cancelled. Reason: Cancelled at your request`));
    const [p] = await h.app.db.query<RowDataPacket[]>('SELECT reserved_quantity FROM products WHERE id = ?', [productId]);
    expect(p[0]!.reserved_quantity).toBe(0);
  });

  it('attaches a photo sent after a GCash order as its payment proof and forwards it to the admins', async () => {
    const { customer, order, num } = await placedOrder({ payment: /GCash/ });
    await customer.send(events.photo(customer.psid, cdn.put(`/receipt-${randomUUID()}.png`, PNG_1PX)));
    expect(customer.lastText()).toBe(`Thank you! 🧾 We're saving your payment proof for ${num} and will show it to the shop. We'll confirm soon.`);
    await h.graph.waitFor(() => adminA.texts().some((t) => t.startsWith(`🧾 Payment proof for ${num}`)));
    expect(await statusOf(order.id)).toMatchObject({ payment_status: 'proof_submitted' });
  });

  it('does not treat a photo or a thumbs-up sticker as a payment proof when no GCash or bank order waits', async () => {
    const customer = new Chat(h);
    await customer.send(events.photo(customer.psid, 'https://cdn.example.com/cat.jpg'));
    expect(customer.lastText()).toMatch(/I can only use a photo as the payment proof/);
    await customer.send({
      sender: { id: customer.psid }, recipient: { id: 'PAGE' }, timestamp: Date.now(),
      message: { mid: `mid.${randomUUID()}`, sticker_id: 369239263222822, attachments: [{ type: 'image', payload: { url: 'https://cdn.example.com/like.png', sticker_id: 369239263222822 } }] },
    });
    expect(customer.lastText()).toBe('👍 What would you like to do next?');
  });
});
