import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Chat, events, pageBody, postWebhook, startHarness, type Harness } from './bot-harness.js';
import { ADDRESS, addByName, answerAddress, ordersOf } from './shopper.js';
import { makeProduct } from '../../helpers/factories.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const newProduct = async (stock = 10, price = '1000.00') => {
  const name = `Item ${randomUUID().slice(0, 8)}`;
  return { name, id: await makeProduct(h.app.db, { name, stock, price }) };
};

/** A shopper with one item in the cart who has answered the name and is being asked the phone. */
async function atPhoneQuestion(): Promise<Chat> {
  const p = await newProduct();
  const chat = new Chat(h);
  await addByName(chat, p.name, 1);
  await chat.tap(/Checkout/);
  await chat.say(ADDRESS.name);
  expect(chat.lastText()).toMatch(/Mobile number/);
  return chat;
}

describe('bad answers during checkout', () => {
  it('re-asks each question with the engine’s reason: 500-char name, wrong phone, empty address, emoji', async () => {
    const p = await newProduct();
    const chat = new Chat(h);
    await addByName(chat, p.name, 1);
    await chat.tap(/Checkout/);
    chat.replies();

    const reasked = async (answer: string, reason: RegExp, question: RegExp) => {
      await chat.say(answer);
      const texts = chat.texts(chat.replies());
      expect(texts, JSON.stringify(texts)).toHaveLength(2);
      expect(texts[0]).toMatch(reason);
      expect(texts[1]).toMatch(question);
    };
    await reasked('x'.repeat(500), /full name \(2 to 100 characters\)/, /Who should we deliver to/);
    await chat.say(ADDRESS.name);
    chat.replies();
    await reasked('12345', /Philippine mobile number like 09171234567/, /Mobile number/);
    await reasked('📞📞📞', /Philippine mobile number/, /Mobile number/);
    await chat.say(ADDRESS.phone);
    chat.replies();
    await reasked('   ', /street address/, /House\/unit no/);
    await chat.say(ADDRESS.address);
    await chat.say(ADDRESS.city);
    await chat.tap(/Metro Manila/);
    chat.replies();
    await reasked('🏠🏠', /4-digit postal code/, /Postal code/);
    await chat.say(ADDRESS.postal);
    expect(chat.lastText()).toBe('How would you like to pay?');
    chat.replies();
    await reasked('paypal', /Please pick one of: Cash on delivery, GCash, Bank transfer/, /How would you like to pay/);
  });
});

describe('a menu tap in the middle of a question', () => {
  it('leaves the question and does what was tapped', async () => {
    const chat = await atPhoneQuestion();
    await chat.postback('CART', '🛒 Cart');
    expect(chat.lastText()).toBe('Subtotal: ₱1,000.00 (1 item)');
    await chat.say(ADDRESS.phone); // no longer an answer: a search that finds nothing
    expect(chat.lastText()).toMatch(/couldn't find anything for "09171234567"/);
  });
});

describe('placing an order', () => {
  it('makes one order when "Place order" is tapped twice at once or redelivered', async () => {
    const p = await newProduct(10);
    const chat = new Chat(h);
    await addByName(chat, p.name, 2);
    await chat.tap(/Checkout/);
    await answerAddress(chat);
    await chat.tap(/Cash on delivery/);
    await chat.tap(/No promo code/);
    const place = chat.find(/Place order/);
    const first = events.quickReply(chat.psid, place.title, place.payload);
    const second = events.quickReply(chat.psid, place.title, place.payload);
    const results = await Promise.all([
      postWebhook(h.app, pageBody(first)),
      postWebhook(h.app, pageBody(second)),
      postWebhook(h.app, pageBody(first)),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    await h.app.bot!.idle();
    const orders = await ordersOf(chat);
    expect(orders).toHaveLength(1);
    expect(chat.texts().filter((t) => t.startsWith('You already placed this order'))).toHaveLength(1);
    const [prod] = await h.app.db.query<RowDataPacket[]>('SELECT reserved_quantity FROM products WHERE id = ?', [p.id]);
    expect(prod[0]!.reserved_quantity).toBe(2);
  });

  it('explains which item ran out and how many are left', async () => {
    const p = await newProduct(3);
    const chat = new Chat(h);
    await addByName(chat, p.name, 3);
    await h.app.db.query('UPDATE products SET stock_quantity = 2 WHERE id = ?', [p.id]); // sold in the shop meanwhile
    await chat.tap(/Checkout/);
    await answerAddress(chat);
    await chat.tap(/Cash on delivery/);
    await chat.tap(/No promo code/);
    // the summary already says so (the quote runs createOrder's checks) and offers no Place order
    expect(chat.lastText()).toMatch(new RegExp(`enough stock: Only 2 left of ${p.name}\\. Please change the quantity`));
    expect(() => chat.find(/Place order/)).toThrow(/no choice/);
    await chat.tap(/Cart/);
    await chat.press(/Change quantity/, new RegExp(p.name));
    await chat.tap(/^2$/);
    await chat.tap(/Checkout/);
    await chat.tap(/Yes, ship there/);
    await chat.tap(/Cash on delivery/);
    await chat.tap(/No promo code/);
    await h.app.db.query('UPDATE products SET stock_quantity = 1 WHERE id = ?', [p.id]); // and again, after the summary
    await chat.tap(/Place order/);
    expect(chat.lastText()).toMatch(new RegExp(`enough stock: Only 1 left of ${p.name}\\. Please change the quantity`));
    expect(await ordersOf(chat)).toHaveLength(0);
  });
});

describe('the cart', () => {
  it('changes a quantity, removes a line and empties, priced from the database', async () => {
    const a = await newProduct(10, '250.50');
    const b = await newProduct(10, '100.00');
    const chat = new Chat(h);
    await addByName(chat, a.name, 2);
    await addByName(chat, b.name, 1);
    await chat.tap(/View cart/);
    expect(chat.lastText()).toBe('Subtotal: ₱601.00 (3 items)');
    await h.app.db.query('UPDATE products SET price = 300.00 WHERE id = ?', [b.id]);
    await chat.press(/Change quantity/, new RegExp(a.name));
    await chat.tap(/^4$/);
    await chat.tap(/View cart/);
    expect(chat.lastText()).toBe('Subtotal: ₱1,302.00 (5 items)');
    await chat.press(/Remove/, new RegExp(b.name));
    expect(chat.lastText()).toBe('Subtotal: ₱1,002.00 (4 items)');
    await chat.tap(/Empty cart/);
    await chat.tap(/Yes, empty it/);
    expect(chat.lastText()).toMatch(/Your cart is empty/);
  });

  it('takes another quantity typed after "Other" and refuses more than is in stock', async () => {
    const p = await newProduct(8);
    const chat = new Chat(h);
    await chat.say(p.name);
    await chat.press(/Add to cart/);
    await chat.tap(/Other/);
    await chat.say('many');
    expect(chat.texts().slice(-2)).toEqual(['Please type a whole number, like 7.', 'How many would you like? Type a number.']);
    await chat.say('9');
    expect(chat.texts().at(-2)).toMatch(new RegExp(`Only 8 of ${p.name} left`));
    await chat.say('7');
    expect(chat.lastText()).toBe(`Added ✅ You now have 7 × ${p.name} in your cart.`);
  });
});

describe('a promo code and editing the summary', () => {
  it('names a promo code that cannot be used in the summary, lets the shopper change it, and shows the discount before placing', async () => {
    const p = await newProduct(10, '1000.00');
    const code = `SAVE${randomUUID().slice(0, 6).toUpperCase()}`;
    await h.app.db.query("INSERT INTO promo_codes (code, discount_type, discount_value) VALUES (?, 'fixed', 150.00)", [code]);
    const chat = new Chat(h);
    await addByName(chat, p.name, 1);
    await chat.tap(/Checkout/);
    await answerAddress(chat);
    await chat.tap(/Cash on delivery/);
    await chat.say('NOSUCHCODE');
    expect(chat.lastText()).toMatch(/^Promo code NOSUCHCODE does not exist or is no longer active\. Tap "Promo code"/);
    expect(chat.lastText()).not.toMatch(/Place order/);
    expect(await ordersOf(chat)).toHaveLength(0);

    await chat.tap(/Promo code/);
    await chat.say(code.toLowerCase());
    expect(chat.lastText()).toContain(`Subtotal: ₱1,000.00\nPromo ${code}: −₱150.00\nDelivery fee: ₱100.00\nTotal: ₱950.00`);
    await chat.tap(/Edit/);
    await chat.tap(/Payment/);
    await chat.tap(/Bank transfer/);
    expect(chat.lastText()).toContain('Payment: Bank transfer');
    expect(chat.lastText()).toContain('Total: ₱950.00');
    await chat.tap(/Place order/);
    const [order] = await ordersOf(chat);
    expect(order).toMatchObject({ promo_code: code, discount_amount: '150.00', total_amount: '950.00', payment_method: 'bank_transfer' });
  });
});

describe('when something changes between the summary and "Place order"', () => {
  async function atSummary(price = '1000.00') {
    const p = await newProduct(10, price);
    const chat = new Chat(h);
    await addByName(chat, p.name, 2);
    await chat.tap(/Checkout/);
    await answerAddress(chat);
    await chat.tap(/Cash on delivery/);
    return { p, chat };
  }

  it('says the total changed, shows the new summary and orders nothing until the shopper taps again', async () => {
    const { p, chat } = await atSummary();
    await chat.tap(/No promo code/);
    expect(chat.lastText()).toContain('Total: ₱2,100.00');
    await h.app.db.query("UPDATE products SET price = '1250.00' WHERE id = ?", [p.id]);
    await chat.tap(/Place order/);
    const texts = chat.texts().slice(-2);
    expect(texts[0]).toMatch(/the total changed since your summary \(₱2,100\.00 → ₱2,600\.00\)/);
    expect(texts[1]).toContain(`2 × ${p.name} — ₱2,500.00`);
    expect(await ordersOf(chat)).toHaveLength(0);
    await chat.tap(/Place order/);
    const [order] = await ordersOf(chat);
    expect(order).toMatchObject({ total_amount: '2600.00' });
  });

  it('says the promo code was used up meanwhile', async () => {
    const code = `ONCE${randomUUID().slice(0, 6).toUpperCase()}`;
    await h.app.db.query("INSERT INTO promo_codes (code, discount_type, discount_value, usage_limit) VALUES (?, 'fixed', 100.00, 1)", [code]);
    const { chat } = await atSummary();
    await chat.say(code);
    expect(chat.lastText()).toContain('Total: ₱2,000.00');
    await h.app.db.query('UPDATE promo_codes SET times_used = 1 WHERE code = ?', [code]);
    await chat.tap(/Place order/);
    expect(chat.lastText()).toMatch(new RegExp(`^That promo code can't be used: Promo code ${code} has reached its usage limit`));
    expect(await ordersOf(chat)).toHaveLength(0);
  });
});

describe('dialog state', () => {
  it('lives in Redis: a second web process (or a restarted one) continues the same checkout', async () => {
    const chat = await atPhoneQuestion();
    const other = await startHarness({ graph: h.graph, queuePrefix: h.app.config.QUEUE_PREFIX });
    try {
      expect((await postWebhook(other.app, pageBody(events.text(chat.psid, ADDRESS.phone)))).statusCode).toBe(200);
      // Both processes share the prefix, as two web processes do: the first one's sweeper (every 2 s) can
      // take the user before the second one does, and then the second one's drain ends at once. The reply
      // is there once neither is draining (waiting on the second one alone failed once in twelve full runs).
      await other.app.bot!.idle();
      await h.app.bot!.idle();
      expect(chat.lastText()).toBe('House/unit no., street and barangay?');
    } finally {
      await other.close();
    }
  });
});
