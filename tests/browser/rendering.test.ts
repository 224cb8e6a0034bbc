import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { createSendApi, type SendApi } from '../../src/bot/send-api.js';
import { startHarness, type Harness } from '../integration/simulator/simulator-harness.js';

/**
 * The chat page on its own (no bot): messages of every kind the Send API can carry are sent to the
 * simulator's fake Graph API, and the page must show them as Messenger does and turn taps into
 * signed webhook events (recorded by the harness's /webhook).
 */
let h: Harness;
let browser: Browser;
let page: Page;
let sendApi: SendApi;
const PSID = '7300000000000001';
const pageErrors: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  sendApi = createSendApi({ graphApiUrl: h.simulator.graphApiUrl, graphApiVersion: 'v24.0', pageAccessToken: undefined });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.addInitScript((psid) => localStorage.setItem('qs-sim-psid', psid), PSID);
  await page.goto(`${h.baseUrl}/simulator`);
  await page.locator('body[data-ready="true"]').waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const customer = () => page.locator('[data-pane="customer"]');
const lastDelivered = () => h.delivered.at(-1)?.body.entry[0]?.messaging[0];
const sendTemplate = (payload: Record<string, unknown>) =>
  sendApi.send({ recipient: { id: PSID }, message: { attachment: { type: 'template', payload } } });
async function waitForDeliveries(n: number) {
  await expect.poll(() => h.delivered.length, { timeout: 10_000 }).toBe(n);
}

describe('the chat page renders what the bot sends', () => {
  it('shows text as text, never as markup', async () => {
    await sendApi.send({ recipient: { id: PSID }, message: { text: '<img src=x onerror="window.hacked=1"> <b>not bold</b>' } });
    const bubble = customer().locator('.bubble.bot', { hasText: 'not bold' });
    await bubble.waitFor();
    expect(await bubble.textContent()).toBe('<img src=x onerror="window.hacked=1"> <b>not bold</b>');
    expect(await customer().locator('.thread b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();
  });

  it('shows quick replies under the newest message and sends a tap as a quick reply with its payload', async () => {
    await sendApi.send({
      recipient: { id: PSID },
      message: {
        text: 'How many?',
        quick_replies: [
          { content_type: 'text', title: '1', payload: 'QTY:5:1' },
          { content_type: 'text', title: '2', payload: 'QTY:5:2' },
        ],
      },
    });
    await customer().locator('.qr', { hasText: '2' }).click();
    await waitForDeliveries(1);
    expect(lastDelivered()?.message).toMatchObject({ text: '2', quick_reply: { payload: 'QTY:5:2' } });
    expect(h.delivered[0]!.signatureValid).toBe(true);
    // the tap is shown as the shopper's message and the quick replies go away, as in Messenger
    await customer().locator('.row.mine .bubble.me', { hasText: '2' }).waitFor();
    expect(await customer().locator('.qr').count()).toBe(0);
  });

  it('shows a carousel of cards with pictures and sends a button tap as a postback', async () => {
    await sendTemplate({
      template_type: 'generic',
      elements: ['denim-jacket', 'canvas-tote', 'soy-candle'].map((slug, i) => ({
        title: `Card ${i + 1}`,
        subtitle: `₱${i + 1},000.00 · In stock`,
        image_url: `http://localhost:9/simulator/images/${slug}.svg`,
        buttons: [{ type: 'postback', title: 'Add to cart', payload: `ADD:${i + 1}` }],
      })),
    });
    const cards = customer().locator('.carousel').last().locator('.card');
    await expect.poll(() => cards.count()).toBe(3);
    // a picture on this server is loaded from the page's own origin, whatever host the seed wrote
    const img = cards.nth(1).locator('img.card-img');
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
    await cards.nth(2).locator('.tpl-btn', { hasText: 'Add to cart' }).click();
    await waitForDeliveries(2);
    expect(lastDelivered()?.postback).toMatchObject({ title: 'Add to cart', payload: 'ADD:3' });
  });

  it('shows a button template with postback and link buttons', async () => {
    await sendTemplate({
      template_type: 'button',
      text: 'Need anything else?',
      buttons: [
        { type: 'postback', title: 'My orders', payload: 'MY_ORDERS' },
        { type: 'web_url', title: 'Size guide', url: 'https://example.com/sizes' },
      ],
    });
    const tpl = customer().locator('.button-tpl', { hasText: 'Need anything else?' });
    await tpl.waitFor();
    expect(await tpl.locator('a.tpl-btn').getAttribute('href')).toBe('https://example.com/sizes');
    await tpl.locator('button.tpl-btn', { hasText: 'My orders' }).click();
    await waitForDeliveries(3);
    expect(lastDelivered()?.postback).toMatchObject({ payload: 'MY_ORDERS' });
  });

  it('shows a receipt with its lines, discount and total in pesos', async () => {
    await sendTemplate({
      template_type: 'receipt',
      recipient_name: 'Juan Dela Cruz',
      order_number: 'ORD-20261126-77777',
      currency: 'PHP',
      payment_method: 'GCash',
      elements: [{ title: 'Denim Jacket', quantity: 2, price: 3700, currency: 'PHP' }],
      adjustments: [{ name: 'WELCOME10', amount: 200 }],
      summary: { subtotal: 3700, shipping_cost: 100, total_cost: 3600 },
    });
    const receipt = customer().locator('.receipt', { hasText: 'ORD-20261126-77777' });
    await receipt.waitFor();
    expect(await receipt.locator('.r-item').textContent()).toMatch(/Denim Jacket.*Qty 2.*₱3,700\.00/);
    expect(await receipt.locator('.r-total').textContent()).toMatch(/Total\s*₱3,600\.00/);
    expect(await receipt.textContent()).toMatch(/WELCOME10\s*−₱200\.00/);
  });

  it('shows an image attachment, and a typing indicator until the next message', async () => {
    await sendApi.send({ recipient: { id: PSID }, sender_action: 'typing_on' });
    await customer().locator('.typing').waitFor({ state: 'visible' });
    await sendApi.send({
      recipient: { id: PSID },
      message: { attachment: { type: 'image', payload: { url: `${h.baseUrl}/simulator/images/ube-halaya.svg` } } },
    });
    await customer().locator('.row.theirs img.photo').last().waitFor();
    await customer().locator('.typing').waitFor({ state: 'hidden' });
  });

  it('brings its own fonts, so ₱, emoji and ☰ are drawn on a machine that has no font with them', async () => {
    const drawn = await page.evaluate(async () => {
      /** Draws the text in the family (once its faces are loaded) and says whether any pixel is inked, any in colour. */
      const draw = async (family: string, text: string) => {
        const font = `40px "${family}"`;
        const statuses = [...new Set((await document.fonts.load(font, text)).map((f) => f.status))];
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.canvas.width = ctx.canvas.height = 64;
        ctx.font = font;
        ctx.fillText(text, 8, 48);
        const px = ctx.getImageData(0, 0, 64, 64).data;
        let inked = false;
        let coloured = false;
        for (let i = 0; i < px.length; i += 4) {
          inked ||= px[i + 3]! > 0;
          coloured ||= px[i + 3]! > 0 && Math.max(px[i]!, px[i + 1]!, px[i + 2]!) - Math.min(px[i]!, px[i + 1]!, px[i + 2]!) > 60;
        }
        return { statuses, inked, coloured };
      };
      return { peso: await draw('Noto Sans', '₱'), emoji: await draw('Noto Color Emoji', '✅'), menu: await draw('Noto Sans Symbols 2', '☰') };
    });
    // every face covering the text came from the simulator, and the glyph was drawn (an emoji in colour)
    expect(drawn).toEqual({
      peso: { statuses: ['loaded'], inked: true, coloured: false },
      emoji: { statuses: ['loaded'], inked: true, coloured: true },
      menu: { statuses: ['loaded'], inked: true, coloured: false },
    });
  });

  it('sends typed text as a message event', async () => {
    await customer().locator('.composer .text').fill('  where is my order?  ');
    await customer().locator('.composer .text').press('Enter');
    await waitForDeliveries(4);
    expect(lastDelivered()?.message).toMatchObject({ text: 'where is my order?' });
    expect(pageErrors).toEqual([]);
  });
});
