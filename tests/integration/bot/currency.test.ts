import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chat, events, newPsid, startHarness, type Harness } from './bot-harness.js';
import { addByName, checkoutAndPlace, ordersOf } from './shopper.js';
import { makeProduct } from '../../helpers/factories.js';
import type { RecordedMessage } from '../../../src/simulator/fake-graph.js';

/** Every amount a customer or an admin reads is in the configured CURRENCY, from the first card to the last alert. */
const ADMIN = newPsid();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: true, adminPsids: [ADMIN], overrides: { CURRENCY: 'USD', FRAUD_HIGH_VALUE: '1000' } });
});
afterAll(async () => h?.close());

/** All words of every message: texts, quick replies, card titles and subtitles. */
const wordsOf = (msgs: RecordedMessage[]): string =>
  msgs
    .map((m) => {
      const msg = m.body.message;
      const els = (msg?.attachment?.payload?.elements ?? []) as Array<{ title?: string; subtitle?: string }>;
      return [msg?.text ?? '', ...els.flatMap((e) => [e.title ?? '', e.subtitle ?? ''])].join('\n');
    })
    .join('\n');

describe('with CURRENCY=USD', () => {
  it('shows dollars, never pesos, in the bot, the receipt, the order updates and the admin alerts', async () => {
    const name = `Lamp ${randomUUID().slice(0, 8)}`;
    await makeProduct(h.app.db, { name, price: '1250.50', stock: 10 });
    const customer = new Chat(h);
    const admin = new Chat(h, ADMIN);
    await addByName(customer, name, 2);
    await customer.postback('CART', 'Cart');
    await checkoutAndPlace(customer, /GCash/);
    const [order] = await ordersOf(customer);
    const num = String(order!.order_number);
    await h.graph.waitFor(() => customer.texts().some((t) => /Please send/.test(t)) && admin.texts().some((t) => t.includes(`New order ${num}`)));
    await customer.postback(`ORDER:${order!.id}`, 'Details');
    await admin.tapIn(new RegExp(`New order ${num}`), /Details/);

    const shopper = wordsOf(customer.all());
    expect(shopper).toContain('$1,250.50'); // card, quantity question, cart
    expect(shopper).toContain('Subtotal: $2,501.00');
    expect(shopper).toMatch(new RegExp(`✅ Order ${num} received! Total: \\$[\\d,]+\\.\\d\\d`));
    expect(shopper).toMatch(/Please send \$[\d,]+\.\d\d by GCash/);
    const alerts = wordsOf(admin.all());
    expect(alerts).toMatch(new RegExp(`New order ${num} — \\$[\\d,]+\\.\\d\\d`));
    expect(alerts).toMatch(/High-value order \(\$[\d,]+\.\d\d\)/);
    for (const words of [shopper, alerts]) expect(words).not.toMatch(/₱|PHP/);
    const receipt = customer.all().find((m) => m.body.message?.attachment?.payload?.template_type === 'receipt');
    expect(receipt?.body.message?.attachment?.payload?.currency).toBe('USD');
  });

  it('shows a typed search result and a photo-proof reply in dollars too', async () => {
    const name = `Mug ${randomUUID().slice(0, 8)}`;
    await makeProduct(h.app.db, { name, price: '9.99', stock: 3 });
    const chat = new Chat(h);
    await chat.say(name);
    expect(wordsOf(chat.all())).toContain('$9.99 · Only 3 left');
    await chat.send(events.photo(chat.psid, 'https://cdn.example.com/x.jpg'));
    expect(wordsOf(chat.all())).not.toMatch(/₱/);
  });
});
