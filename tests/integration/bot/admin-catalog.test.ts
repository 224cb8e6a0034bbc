import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chat, events, newPsid, startHarness, type Harness } from './bot-harness.js';
import { addByName, checkoutAndPlace, ordersOf } from './shopper.js';
import { PNG_1PX, startFakeCdn, type FakeCdn } from '../../helpers/fake-cdn.js';
import { formatMoney } from '../../../src/orders/index.js';

/** The catalog from Messenger: every step is a signed webhook post, every answer read from the fake Graph. */
const ADMIN = newPsid();
let h: Harness;
let cdn: FakeCdn;
let admin: Chat;
beforeAll(async () => {
  cdn = await startFakeCdn();
  h = await startHarness({ adminPsids: [ADMIN], mediaExtraCa: cdn.ca, overrides: { MEDIA_ALLOWED_HOSTS: '127.0.0.1', PUBLIC_URL: 'https://shop.example.com' } });
  admin = new Chat(h, ADMIN);
});
afterAll(async () => {
  await h?.close();
  await cdn?.close();
});

const products = async (name: string) =>
  (await h.app.db.query<RowDataPacket[]>('SELECT id, name, price, stock_quantity, category, image_url, status FROM products WHERE name = ?', [name]))[0];

describe('➕ Add product', () => {
  it('re-asks a bad answer with the reason, shows the card with the photo, saves, and a shopper can buy it at once', async () => {
    const name = `Ube jam ${randomUUID().slice(0, 6)}`;
    const category = `Jams ${randomUUID().slice(0, 4)}`;
    await admin.postback('ADMIN_ADD_PRODUCT', '➕ Add product');
    expect(admin.lastText()).toBe('➕ New product. What is it called?');
    await admin.say(name);
    await admin.say('cheap');
    expect(admin.texts().at(-2)).toMatch(/must be an amount of money.*Let's try that again/);
    expect(admin.lastText()).toBe('Price? (e.g. 249.50)');
    await admin.say('₱249.50');
    await admin.say('lots');
    expect(admin.texts().at(-2)).toMatch(/Let's try that again/);
    await admin.say('12');
    expect(admin.lastText()).toMatch(/^Category\?/);
    await admin.tap(/New…/);
    await admin.say(category);
    expect(admin.lastText()).toMatch(/Send a photo of the product/);
    await admin.send(events.photo(ADMIN, cdn.put(`/t39.1997-6/${randomUUID()}.txt`, Buffer.from('not an image'))));
    expect(admin.texts().at(-2)).toMatch(/^I couldn't use that photo: that file is not a JPEG, PNG, WebP or GIF image/);
    await admin.send(events.photo(ADMIN, cdn.put(`/t39.1997-6/${randomUUID()}.png`, PNG_1PX)));

    const card = admin.all().find((m) => m.body.message?.attachment?.payload?.template_type === 'generic' && JSON.stringify(m.body).includes(name));
    const el = (card!.body.message!.attachment!.payload.elements as Array<{ title: string; subtitle: string; image_url: string }>)[0]!;
    expect(el).toMatchObject({ title: name, subtitle: `₱249.50 · 12 in stock · ${category}`, image_url: expect.stringMatching(/^https:\/\/shop\.example\.com\/media\/[0-9a-f]{32}\.png$/) });
    expect(admin.lastText()).toBe('This is how shoppers will see it. Save it?');
    expect(await products(name)).toHaveLength(0);
    await admin.tap(/Save/);
    expect(admin.lastText()).toMatch(new RegExp(`^✅ ${name} is in the shop now`));
    const [saved] = await products(name);
    expect(saved).toMatchObject({ price: '249.50', stock_quantity: 12, category, status: 'active', image_url: el.image_url });
    // the photo is served publicly from the media store
    const photo = await h.app.http!.inject({ method: 'GET', url: new URL(el.image_url).pathname });
    expect(photo.rawPayload.equals(PNG_1PX)).toBe(true);

    const shopper = new Chat(h);
    await addByName(shopper, name, 2);
    await checkoutAndPlace(shopper);
    const [order] = await ordersOf(shopper);
    expect(order).toMatchObject({ subtotal: '499.00', order_status: 'pending' });
  });

  it('is refused to a shopper', async () => {
    const shopper = new Chat(h);
    await shopper.postback('ADMIN_ADD_PRODUCT');
    expect(shopper.lastText()).toBe('Sorry, that action is only for the shop’s admins.');
  });
});

describe('📦 Stock', () => {
  it('sets and adds stock with history, never below what is reserved, and hides / shows', async () => {
    const name = `Tablea ${randomUUID().slice(0, 6)}`;
    const created = await h.app.orders.createProduct({ name, price: 100, stock_quantity: 5 });
    if (!created.success) throw new Error(created.error);
    const id = created.product.id;
    const shopper = new Chat(h);
    await addByName(shopper, name, 3);
    await checkoutAndPlace(shopper); // 3 reserved

    await admin.postback('ADMIN_STOCK', '📦 Stock');
    await admin.say(name.slice(0, 9));
    expect(admin.lastText()).toMatch(/^Products matching/);
    await admin.tap(new RegExp(name));
    expect(admin.lastText()).toMatch(new RegExp(`^${name}: 5 on hand, 3 reserved for open orders, 2 available to sell \\(shown in the shop\\)`));
    await admin.tap(/Set stock/);
    await admin.say('2');
    expect(admin.texts().at(-2)).toBe(`Cannot make the stock of ${name} 2: 3 are reserved for open orders (stock is 5; it cannot go below 3). Type another number.`);
    await admin.say('8');
    expect(admin.lastText()).toMatch(new RegExp(`^✅ Stock of ${name}: 5 → 8\\. ${name}: 8 on hand, 3 reserved`));
    await admin.postback(`ADMIN_STOCK_OF:${id}`);
    await admin.tap(/Add stock/);
    await admin.say('4');
    expect(admin.lastText()).toMatch(/: 8 → 12\./);
    await admin.postback(`ADMIN_STOCK_OF:${id}`);
    await admin.tap(/Hide/);
    expect(admin.lastText()).toMatch(/hidden from the shop/);
    expect((await products(name))[0]).toMatchObject({ status: 'inactive', stock_quantity: 12 });
    await admin.tap(/Show/);
    expect((await products(name))[0]).toMatchObject({ status: 'active' });

    const [log] = await h.app.db.query<RowDataPacket[]>('SELECT delta, stock_before, stock_after, reason, actor FROM inventory_adjustments WHERE product_id = ? ORDER BY id', [id]);
    const actor = expect.stringMatching(/^admin:/);
    expect(log).toEqual([
      { delta: 3, stock_before: 5, stock_after: 8, reason: 'stock count (chat)', actor },
      { delta: 4, stock_before: 8, stock_after: 12, reason: 'stock added (chat)', actor },
      { delta: 0, stock_before: 12, stock_after: 12, reason: 'hidden from the shop', actor },
      { delta: 0, stock_before: 12, stock_after: 12, reason: 'shown in the shop', actor },
    ]);
  });
});

describe('🧾 Today', () => {
  // its own database: the run's shared one gets orders from the other worker between the summary and any check
  let day: Harness;
  beforeAll(async () => {
    day = await startHarness({ adminPsids: [ADMIN], ownDatabase: true });
  });
  afterAll(async () => {
    await day?.close();
  });

  it('sums up the shop’s day: orders by status, revenue, top products and low stock', async () => {
    const mango = `Dried mango ${randomUUID().slice(0, 6)}`;
    const lamp = `Capiz lamp ${randomUUID().slice(0, 6)}`;
    for (const p of [{ name: mango, price: 150, stock_quantity: 40 }, { name: lamp, price: 900, stock_quantity: 1 }]) {
      const created = await day.app.orders.createProduct(p);
      if (!created.success) throw new Error(created.error);
    }
    const buyers = [new Chat(day), new Chat(day), new Chat(day)];
    await addByName(buyers[0]!, mango, 3);
    await checkoutAndPlace(buyers[0]!);
    await addByName(buyers[1]!, lamp, 1);
    await checkoutAndPlace(buyers[1]!);
    await addByName(buyers[2]!, mango, 5);
    await checkoutAndPlace(buyers[2]!);
    const [cancelled] = await ordersOf(buyers[2]!);
    const cancel = await day.app.orders.cancelOrder(cancelled!.id as number, 'changed mind', 'test');
    expect(cancel.success).toBe(true);
    const [[open]] = await day.app.db.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n, SUM(total_amount) AS revenue, CAST(CURDATE() AS CHAR) AS today FROM orders WHERE order_status = 'pending'`,
    );
    expect(Number(open!.n)).toBe(2);

    const boss = new Chat(day, ADMIN);
    await boss.postback('ADMIN_TODAY', '🧾 Today');
    expect(boss.lastText()).toBe(
      [
        `🧾 Today, ${open!.today}: 3 orders, revenue ${formatMoney(open!.revenue as string, 'PHP')}`,
        'Pending 2 · Confirmed 0 · Processing 0 · Shipped 0 · Delivered 0 · Cancelled 1 · Expired 0',
        'Top products:',
        `• ${mango} — 3 sold (₱450.00)`,
        `• ${lamp} — 1 sold (₱900.00)`,
        'Low stock:',
        `• ${lamp} — out of stock`,
      ].join('\n'),
    );
  });
});
