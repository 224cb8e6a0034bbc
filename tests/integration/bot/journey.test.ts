import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Chat, startHarness, type Harness } from './bot-harness.js';
import { ADDRESS, addByName, answerAddress, ordersOf } from './shopper.js';
import { makeProduct } from '../../helpers/factories.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: true });
});
afterAll(async () => {
  await h?.close();
});

describe('a shopper going from Get Started to a placed order', () => {
  it('browses a category, fills the cart, checks out by tapping what the bot offers, and gets the receipt', async () => {
    const tag = randomUUID().slice(0, 6);
    const category = `Kitchen ${tag}`;
    const name = `Rice cooker ${tag}`;
    const productId = await makeProduct(h.app.db, { name, price: '1000.00', stock: 5, category });
    const chat = new Chat(h);

    await chat.postback('GET_STARTED', 'Get Started');
    expect(chat.lastText()).toMatch(/Welcome/);
    await chat.tap(/Shop/);
    while (!chat.texts().length || !hasChoice(chat, category)) await chat.tap(/More/);
    await chat.tap(new RegExp(category));
    const card = chat.all().at(-1)!.body.message!.attachment!.payload as { elements: Array<{ title: string; subtitle: string }> };
    expect(card.elements[0]).toMatchObject({ title: name, subtitle: '₱1,000.00 · Only 5 left' });
    await chat.press(/Add to cart/);
    expect(chat.lastText()).toBe(`How many ${name}? (₱1,000.00 each)`);
    await chat.tap(/^2$/);
    expect(chat.lastText()).toBe(`Added ✅ You now have 2 × ${name} in your cart.`);
    await chat.tap(/View cart/);
    expect(chat.lastText()).toBe('Subtotal: ₱2,000.00 (2 items)');
    await chat.tap(/Checkout/);
    expect(chat.lastText()).toMatch(/Who should we deliver to/);
    await answerAddress(chat);
    expect(chat.texts().slice(-2)).toEqual(['Delivery to Metro Manila: ₱100.00', 'How would you like to pay?']);
    await chat.tap(/Cash on delivery/);
    await chat.tap(/No promo code/);
    const summary = chat.lastText();
    expect(summary).toContain(`2 × ${name} — ₱2,000.00`);
    expect(summary).toContain('Total: ₱2,100.00');
    expect(summary).toContain(`${ADDRESS.name}, ${ADDRESS.phone}`);
    await chat.tap(/Place order/);

    const [order] = await ordersOf(chat);
    expect(order).toMatchObject({ order_status: 'pending', total_amount: '2100.00', payment_method: 'cod', order_source: 'messenger', recipient_name: ADDRESS.name });
    const receipt = await h.graph.waitFor(() => chat.texts().some((t) => t.startsWith(`✅ Order ${order!.order_number} received! Total: ₱2,100.00`)));
    expect(receipt.length).toBeGreaterThan(0);
    const [p] = await h.app.db.query<RowDataPacket[]>('SELECT reserved_quantity FROM products WHERE id = ?', [productId]);
    expect(p[0]!.reserved_quantity).toBe(2);
    const [carts] = await h.app.db.query<RowDataPacket[]>('SELECT status FROM carts WHERE id = ?', [order!.cart_id]);
    expect(carts[0]!.status).toBe('checked_out');
  });

  it('offers the saved address next time and goes straight to payment', async () => {
    const tag = randomUUID().slice(0, 6);
    await makeProduct(h.app.db, { name: `Kettle ${tag}`, price: '500.00', stock: 9 });
    const chat = new Chat(h);
    await addByName(chat, `Kettle ${tag}`, 1);
    await chat.tap(/Checkout/);
    await answerAddress(chat);
    await chat.tap(/GCash/);
    await chat.tap(/No promo code/);
    await chat.tap(/Place order/);
    await h.graph.waitFor(() => chat.texts().some((t) => /Please send ₱600\.00 by GCash to 09171234567/.test(t)));
    expect(chat.texts().filter((t) => /by GCash/.test(t))).toHaveLength(1);

    await addByName(chat, `Kettle ${tag}`, 1);
    await chat.tap(/Checkout/);
    expect(chat.lastText()).toBe(`Ship to your saved address?\n${ADDRESS.name}, ${ADDRESS.phone}\n${ADDRESS.address}, ${ADDRESS.city}, Metro Manila ${ADDRESS.postal}`);
    await chat.tap(/Yes, ship there/);
    expect(chat.lastText()).toBe('How would you like to pay?');
  });
});

function hasChoice(chat: Chat, title: string): boolean {
  try {
    chat.find(new RegExp(title));
    return true;
  } catch {
    return false;
  }
}
