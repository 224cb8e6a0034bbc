import { copyFile, mkdir, stat } from 'node:fs/promises';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { App } from '../../src/app.js';
import { SIMULATED_COMMENTERS } from '../../src/simulator/identities.js';
import { makeProduct } from '../helpers/factories.js';
import { openSimulator, type SimulatorSession } from './simulator-session.js';

/**
 * The simulator's Live pane in real headless Chromium, against the whole app (only Graph is faked, by the
 * simulator's own fake): the Page goes live, the admin chat starts a sale on the latest live video, two
 * people comment "mine M1" and each gets the Page's Private Reply in their own chat, a burst of comments
 * gets exactly the units left, and a commenter checks out from the private reply.
 */
const OUTPUT_DIR = new URL('../../test-results/browser/', import.meta.url);
const DOCS_SCREENSHOT = new URL('../../docs/live-sale.png', import.meta.url);
const STEP_MS = 20_000;
const STOCK = 3;
const BURST = 10;
const [ANA, BEN] = SIMULATED_COMMENTERS;

let session: SimulatorSession;
let app: App;
let page: Page;
let baseUrl: string;
let pageErrors: string[];
let productId = 0;

beforeAll(async () => {
  session = await openSimulator({
    stepMs: STEP_MS,
    env: { LIVE_TALLY_INTERVAL_SECONDS: '5' },
    beforeStart: async (a) => void (productId = await makeProduct(a.db, { stock: STOCK, name: 'Blue dress', price: '350.00' })),
  });
  ({ app, page, baseUrl, pageErrors } = session);
}, 120_000);

afterAll(() => session?.close());

const pane = (who: 'live' | 'commenter' | 'admin') => page.locator(`[data-pane="${who}"]`);
const botSays = (who: 'commenter' | 'admin', text: RegExp) => pane(who).locator('.bubble.bot', { hasText: text }).last().waitFor();
const tapQuickReply = (title: RegExp) => pane('commenter').locator('.quick-replies .qr', { hasText: title }).first().click();
async function type(text: string) {
  await pane('commenter').locator('.composer .text').fill(text);
  await pane('commenter').locator('.composer .text').press('Enter');
}
async function comment(psid: string, text: string) {
  await pane('live').locator('.commenter').selectOption(psid);
  await pane('live').locator('.comment-text').fill(text);
  await pane('live').locator('.comment-text').press('Enter');
}
async function rows(sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const [r] = await app.db.query<RowDataPacket[]>(sql, params);
  return r;
}
async function eventually(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not in time: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the Live pane of the simulator in a real browser', () => {
  it('runs a live sale: private replies in each commenter chat, a burst holds exactly the stock, a commenter checks out', async () => {
    await page.goto(`${baseUrl}/simulator`);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.locator('label.switch:has(#live-switch)').click();
    await expect(pane('customer' as 'live').isVisible()).resolves.toBe(false);

    // The Page goes live; the admin chat starts the sale on the latest live video (real signed webhook).
    await pane('live').locator('.go-live').click();
    await pane('live').locator('.live-badge').waitFor();
    await pane('live').locator('.code-row').first().locator('.product').selectOption(String(productId));
    await pane('live').locator('.start-sale').click();
    const m1 = pane('live').locator('.post-code[data-code="M1"]');
    await m1.waitFor();
    await expect(m1.textContent()).resolves.toMatch(/Blue dress ₱350\.00.*0\/3 claimed · 0 waiting/);
    const [sale] = await rows("SELECT id, post_id, created_by FROM live_sales WHERE status = 'live'");
    expect(String(sale!.post_id)).toMatch(/^100000000000001_\d+$/);
    expect(String(sale!.created_by)).toMatch(/^admin:/);

    // Two people comment; each gets the Page's Private Reply in their own chat.
    await comment(ANA!.psid, 'mine M1');
    await comment(BEN!.psid, 'M1 mine po');
    await botSays('commenter', /You got M1 Blue dress ₱350\.00 🎉/); // Ben's chat (picked last)
    await expect(pane('commenter').locator('.private-reply').first().isVisible()).resolves.toBe(true);
    await pane('live').locator('.commenter').selectOption(ANA!.psid);
    await botSays('commenter', /You got M1 Blue dress ₱350\.00 🎉/);
    await expect(pane('commenter').locator('.sub').textContent()).resolves.toContain('Ana Reyes');

    // A burst of comments from new people: exactly the one unit left is held, the rest wait.
    await pane('live').locator('.burst-count').fill(String(BURST));
    await pane('live').locator('.burst').click();
    await eventually(async () => Number((await rows('SELECT COUNT(*) AS n FROM live_comments WHERE sale_id = ?', [sale!.id]))[0]!.n) === BURST + 2, 'every comment handled');
    const claims = await rows('SELECT status, COUNT(*) AS n FROM live_claims WHERE sale_id = ? GROUP BY status ORDER BY CAST(status AS CHAR)', [sale!.id]);
    expect(claims.map((r) => [r.status, Number(r.n)])).toEqual([['held', STOCK], ['waitlisted', BURST + 2 - STOCK]]);
    const [product] = await rows('SELECT stock_quantity, reserved_quantity FROM products WHERE id = ?', [productId]);
    expect([Number(product!.stock_quantity), Number(product!.reserved_quantity)]).toEqual([STOCK, STOCK]);
    await pane('live').locator('.post-code[data-code="M1"] .pc-tally', { hasText: `3/3 claimed · ${BURST + 2 - STOCK} waiting` }).waitFor();
    // one Private Reply per comment, none twice
    const fake = app.simulator!.fakeGraph;
    await eventually(async () => fake.messages.filter((m) => 'comment_id' in m.body.recipient).length >= BURST + 2, 'a private reply to every comment');
    const replied = fake.messages.filter((m) => 'comment_id' in m.body.recipient).map((m) => (m.body.recipient as { comment_id: string }).comment_id);
    expect(new Set(replied).size).toBe(replied.length);

    // The picture for the README: the live video with its tally, Ana's private reply, the admin's chat.
    await page.locator('label.switch:has(#admin-switch)').click();
    await botSays('admin', /Live! Buyers can comment "mine M1"/);
    await page.addStyleTag({ content: '.thread, .live-comments { scroll-behavior: auto !important; } .live-badge { animation: none !important; }' });
    await page.evaluate(() => document.querySelectorAll<HTMLElement>('.thread, .live-comments').forEach((t) => (t.scrollTop = t.scrollHeight)));
    await page.evaluate(() => document.fonts.ready);
    await mkdir(OUTPUT_DIR, { recursive: true });
    const shot = new URL('live-sale.png', OUTPUT_DIR);
    await page.screenshot({ path: shot.pathname });
    // docs/live-sale.png is committed: refreshed on request (or when missing), like docs/simulator.png
    const docsMissing = await stat(DOCS_SCREENSHOT).then(() => false, () => true);
    if (process.env.UPDATE_SCREENSHOT || docsMissing) await copyFile(shot, DOCS_SCREENSHOT);

    // Ana answers her private reply and checks out: the held unit becomes her order's reservation.
    await pane('commenter').locator('.tpl-btn', { hasText: /Check out/ }).last().click();
    await botSays('commenter', /In your cart from the live sale:\nM1 Blue dress/);
    await tapQuickReply(/Check ?out/i);
    await botSays('commenter', /full name/i);
    await type('Ana Reyes');
    await botSays('commenter', /mobile number/i);
    await type('09171234567');
    await botSays('commenter', /street/i);
    await type('12 Rizal Avenue');
    await botSays('commenter', /city/i);
    await type('Manila');
    await tapQuickReply(/^Metro Manila$/);
    await botSays('commenter', /postal code/i);
    await type('1003');
    await tapQuickReply(/Cash on delivery/i);
    await botSays('commenter', /promo code/i);
    await tapQuickReply(/No promo code/i);
    await botSays('commenter', /check your order/i);
    await tapQuickReply(/Place order/i);
    await pane('commenter').locator('.receipt').last().waitFor();
    const [ana] = await rows("SELECT status FROM live_claims WHERE sale_id = ? AND commenter_id = ?", [sale!.id, ANA!.fbId]);
    expect(ana!.status).toBe('checked_out');
    const [after] = await rows('SELECT reserved_quantity FROM products WHERE id = ?', [productId]);
    expect(Number(after!.reserved_quantity)).toBe(STOCK); // the order holds Ana's unit: nobody else took it
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
