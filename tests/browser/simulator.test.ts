import { copyFile, mkdir, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { App } from '../../src/app.js';
import { imageLoaded, openSimulator, type SimulatorSession } from './simulator-session.js';

/**
 * The simulator in real headless Chromium (tests/browser/chromium.ts picks one), against the whole app: the
 * demo shop on a database of its own, the bot, the order engine and the workers, with only the Graph
 * API faked (by the simulator's built-in fake). A shopper taps through to a placed order, the admin
 * confirms it in the second pane, and the shopper sees the confirmation.
 */
const OUTPUT_DIR = new URL('../../test-results/browser/', import.meta.url);
const DOCS_SCREENSHOT = new URL('../../docs/simulator.png', import.meta.url);
const STEP_MS = 20_000;
// a 1x1 PNG: the photo the shopper sends
const PROOF_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

let session: SimulatorSession;
let app: App;
let page: Page;
let baseUrl: string;
let pageErrors: string[];

beforeAll(async () => {
  session = await openSimulator({ stepMs: STEP_MS });
  ({ app, page, baseUrl, pageErrors } = session);
}, 120_000);

afterAll(() => session?.close());

const pane = (who: 'customer' | 'admin') => page.locator(`[data-pane="${who}"]`);
/** Waits until the bot's latest messages in a pane include one matching `text`. */
const botSays = (who: 'customer' | 'admin', text: RegExp) => pane(who).locator('.bubble.bot', { hasText: text }).last().waitFor();
const tapQuickReply = (who: 'customer' | 'admin', title: RegExp) => pane(who).locator('.quick-replies .qr', { hasText: title }).first().click();
async function type(text: string) {
  await pane('customer').locator('.composer .text').fill(text);
  await pane('customer').locator('.composer .text').press('Enter');
}

/** From the cart to a tap on Place order: typed answers where the bot asks for text, taps where it offers choices. */
async function checkout(opts: { payment: RegExp; promo?: string }) {
  await tapQuickReply('customer', /Checkout/i);
  await botSays('customer', /full name/i);
  await type('Maria Clara Santos');
  await botSays('customer', /mobile number/i);
  await type('09171234567');
  await botSays('customer', /street/i);
  await type('45 Mabini Street, Brgy. Malate');
  await botSays('customer', /city/i);
  await type('Manila');
  await tapQuickReply('customer', /^Metro Manila$/);
  await botSays('customer', /postal code/i);
  await type('1004');
  await tapQuickReply('customer', opts.payment);
  await botSays('customer', /promo code/i);
  if (opts.promo) await type(opts.promo);
  else await tapQuickReply('customer', /No promo code/i);
  await botSays('customer', /check your order/i);
  await tapQuickReply('customer', /Place order/i);
}

/** The order number in the newest receipt template of the shopper's pane. */
async function receiptOrderNumber(): Promise<string> {
  const receipt = pane('customer').locator('.receipt').last();
  await receipt.waitFor();
  const orderNumber = /ORD-[\w-]+/.exec((await receipt.locator('.r-number').textContent()) ?? '')?.[0];
  expect(orderNumber).toBeTruthy();
  return orderNumber!;
}

describe('the Messenger simulator in a real browser', () => {
  it('takes a shopper from Get Started to a placed order, and the admin confirms it from the second pane', async () => {
    await page.goto(`${baseUrl}/simulator`);
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(page.locator('#dashboard-link').getAttribute('href')).resolves.toBe('/admin/queues');

    // Browse: Get Started → Shop → a category carousel with pictures → Add to cart → quantity 2.
    await pane('customer').locator('.get-started').click();
    await tapQuickReply('customer', /Shop/);
    await tapQuickReply('customer', /^Bags$/);
    const card = pane('customer').locator('.carousel .card', { hasText: 'Canvas Tote Bag' }).last();
    await card.waitFor();
    await expect(imageLoaded(card.locator('img.card-img'))).resolves.toBe(true);
    await card.locator('.tpl-btn', { hasText: /Add to cart/i }).click();
    await tapQuickReply('customer', /^2$/);

    await checkout({ payment: /Cash on delivery/i, promo: 'WELCOME10' });

    // The receipt template and the "received" text, sent by the notifications worker.
    const orderNumber = await receiptOrderNumber();
    await botSays('customer', new RegExp(`Order ${orderNumber} received! Total: ₱[\\d,]+\\.\\d{2}`));

    // The admin's alert arrived while their pane was hidden: the switch shows an unread count.
    await page.locator('#admin-badge').waitFor({ state: 'visible' });
    expect(Number(await page.locator('#admin-badge').textContent())).toBeGreaterThan(0);
    // The admin switch shows the second pane, where the new-order alert waits with Confirm.
    await page.locator('label.switch:has(#admin-switch)').click();
    await page.locator('#admin-badge').waitFor({ state: 'hidden' });
    await expect(pane('admin').isVisible()).resolves.toBe(true);
    await botSays('admin', new RegExp(`New order ${orderNumber}`));
    await tapQuickReply('admin', /^Confirm$/);
    await botSays('admin', new RegExp(`${orderNumber} confirmed`));

    // Back on the shopper's side: the confirmation.
    await botSays('customer', new RegExp(`${orderNumber} is confirmed`));
    const order = await app.orders.getOrderByNumber(orderNumber);
    expect(['confirmed', 'processing']).toContain(order?.order_status);
    expect(order?.history).toContainEqual(expect.objectContaining({ from_status: 'pending', to_status: 'confirmed', changed_by: expect.stringMatching(/^admin:/) }));
    expect(order?.items).toEqual([expect.objectContaining({ product_name: 'Canvas Tote Bag', quantity: 2 })]);
    expect(pageErrors).toEqual([]);

    // both conversations at their newest message for the picture (no smooth-scroll still under way)
    await page.addStyleTag({ content: '.thread { scroll-behavior: auto !important; }' });
    await page.evaluate(() => document.querySelectorAll<HTMLElement>('.thread').forEach((t) => (t.scrollTop = t.scrollHeight)));
    await page.evaluate(() => document.fonts.ready); // the page's web fonts (₱, emoji), not a fallback
    await mkdir(OUTPUT_DIR, { recursive: true });
    const shot = new URL('simulator.png', OUTPUT_DIR);
    await page.screenshot({ path: shot.pathname });
    // docs/simulator.png is committed: refresh it only on request (or when missing), so a test run
    // does not leave the work tree dirty.
    const docsMissing = await stat(DOCS_SCREENSHOT).then(() => false, () => true);
    if (process.env.UPDATE_SCREENSHOT || docsMissing) await copyFile(shot, DOCS_SCREENSHOT);
  }, 180_000);

  it('lets a shopper who pays by GCash send a photo of the receipt, which reaches the admin with the order', async () => {
    await page.goto(`${baseUrl}/simulator`);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.locator('#new-customer').click();
    await pane('customer').locator('.get-started').click();
    await tapQuickReply('customer', /Shop/);
    await tapQuickReply('customer', /^Pantry$/);
    const card = pane('customer').locator('.carousel .card', { hasText: 'Dried Mango' }).last();
    await card.locator('.tpl-btn', { hasText: /Add to cart/i }).click();
    await tapQuickReply('customer', /^1$/);
    await checkout({ payment: /GCash/i });
    const orderNumber = await receiptOrderNumber();

    await pane('customer').locator('.photo-input').setInputFiles({ name: 'gcash-receipt.png', mimeType: 'image/png', buffer: PROOF_PNG });
    const sent = pane('customer').locator('.row.mine img.photo').last();
    await sent.waitFor();
    expect(await sent.getAttribute('src')).toMatch(/^\/simulator\/uploads\/[0-9a-f-]{36}\.png$/);
    await botSays('customer', new RegExp(`payment proof for ${orderNumber}`, 'i'));

    if (!(await page.locator('#admin-switch').isChecked())) await page.locator('label.switch:has(#admin-switch)').click();
    await botSays('admin', new RegExp(`Payment proof for ${orderNumber}`, 'i'));
    const forwarded = pane('admin').locator('.row.theirs img.photo').last();
    await forwarded.waitFor();
    await expect(imageLoaded(forwarded)).resolves.toBe(true);
    const order = await app.orders.getOrderByNumber(orderNumber);
    expect(order).toMatchObject({ payment_method: 'gcash', payment_status: 'proof_submitted' });
    expect(order?.payment_proof_url).toMatch(/\/simulator\/uploads\/[0-9a-f-]{36}\.png$/);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("shows the admin's own menu in the admin pane (the shopper keeps the shop's), and 🧾 Today answers with the day's summary", async () => {
    // what the app set through the Custom User Settings API for the simulator's admin
    const adminPsid = app.simulator!.adminPsid;
    const setByApp = app.simulator!.fakeGraph.userSettings.filter((u) => u.psid === adminPsid);
    expect(setByApp.length).toBeGreaterThan(0);

    await page.goto(`${baseUrl}/simulator`);
    await page.locator('body[data-ready="true"]').waitFor();
    if (!(await page.locator('#admin-switch').isChecked())) await page.locator('label.switch:has(#admin-switch)').click();
    const menuTitles = async (who: 'customer' | 'admin') => {
      await pane(who).locator('.menu-btn').click();
      await pane(who).locator('.menu').waitFor({ state: 'visible' });
      const titles = (await pane(who).locator('.menu .menu-item').allTextContents()).map((t) => t.trim());
      await pane(who).locator('.menu-btn').click(); // closed again
      return titles;
    };
    expect(await menuTitles('admin')).toEqual(['📋 Pending orders', '➕ Add product', '📦 Stock', '🧾 Today']);
    expect(await menuTitles('customer')).toEqual(['🛍️ Shop', '🛒 Cart', '📦 My orders', '❓ Help', '💬 Talk to a person']);

    await pane('admin').locator('.menu-btn').click();
    await pane('admin').locator('.menu .menu-item', { hasText: '🧾 Today' }).click();
    // the day's figures as the engine has them, with the admin menu again as quick replies
    const summary = await app.orders.daySummary();
    await botSays('admin', new RegExp(`🧾 Today, ${summary.date}: ${summary.total_orders} orders?, revenue ₱[\\d,]+\\.\\d{2}`));
    await expect(pane('admin').locator('.quick-replies .qr', { hasText: '📦 Stock' }).isVisible()).resolves.toBe(true);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
