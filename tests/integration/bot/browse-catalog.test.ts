import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { Chat, events, startHarness, type Harness } from './bot-harness.js';
import type { RecordedMessage } from '../../../src/simulator/fake-graph.js';

/**
 * A shopper reaches every product only by tapping what the bot offers: the category list (paged), each
 * category's carousel (paged with "More ▶"), and "Other products" for products that have no category.
 */
const ADMIN_KEY = `browse-${randomUUID()}`;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(): Promise<Harness> {
  h = await startHarness({ ownDatabase: true, overrides: { ADMIN_API_KEY: ADMIN_KEY, API_RATE_LIMIT: '0' } });
  return h;
}

/** Added the way an operator does: POST /api/products (category only when given). */
async function addProduct(harness: Harness, name: string, category?: string): Promise<void> {
  const res = await harness.app.http!.inject({
    method: 'POST',
    url: '/api/products',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ name, price: 120, stock_quantity: 7, ...(category ? { category } : {}) }),
  });
  expect(res.statusCode, res.body).toBe(201);
}

async function activeProductNames(harness: Harness): Promise<string[]> {
  const [rows] = await harness.app.db.query<RowDataPacket[]>(`SELECT name FROM products WHERE status = 'active' ORDER BY name`);
  return rows.map((r) => String(r.name));
}

type Choice = { title: string; payload: string };
const quickReplies = (msgs: RecordedMessage[]): Choice[] => msgs.flatMap((m) => m.body.message?.quick_replies ?? []);
const cardTitles = (msgs: RecordedMessage[]): string[] =>
  msgs.flatMap((m) => ((m.body.message?.attachment?.payload?.elements ?? []) as Array<{ title: string }>).map((e) => e.title));

async function tapChoice(chat: Chat, c: Choice): Promise<RecordedMessage[]> {
  await chat.send(events.quickReply(chat.psid, c.title, c.payload));
  return chat.replies();
}

/** Reads a carousel and every page after it ("More ▶"); returns the card titles and the page sizes. */
async function readAllPages(chat: Chat, first: RecordedMessage[]): Promise<{ titles: string[]; pages: number[] }> {
  const titles: string[] = [];
  const pages: number[] = [];
  let msgs = first;
  for (;;) {
    const cards = cardTitles(msgs);
    expect(cards.length, `a page with no cards: ${JSON.stringify(chat.texts(msgs))}`).toBeGreaterThan(0);
    titles.push(...cards);
    pages.push(cards.length);
    const more = quickReplies(msgs).find((q) => q.title === 'More ▶');
    if (!more) return { titles, pages };
    msgs = await tapChoice(chat, more);
  }
}

/** Shop → every entry of the (paged) category list → every page of it. */
async function browseEverything(chat: Chat): Promise<{ reached: string[]; entries: string[]; pagesOf: Record<string, number[]> }> {
  await chat.postback('SHOP', 'Shop');
  let msgs = chat.replies();
  const reached: string[] = [];
  const pagesOf: Record<string, number[]> = {};
  if (cardTitles(msgs).length) {
    // no categories at all: straight to the products
    const all = await readAllPages(chat, msgs);
    return { reached: all.titles, entries: [], pagesOf: { '(products)': all.pages } };
  }
  const entries: Choice[] = [];
  for (;;) {
    const qrs = quickReplies(msgs);
    entries.push(...qrs.filter((q) => q.title !== 'More ▶'));
    const more = qrs.find((q) => q.title === 'More ▶');
    if (!more) break;
    msgs = await tapChoice(chat, more);
  }
  for (const e of entries) {
    const all = await readAllPages(chat, await tapChoice(chat, e));
    reached.push(...all.titles);
    pagesOf[e.title] = all.pages;
  }
  return { reached, entries: entries.map((e) => e.title), pagesOf };
}

describe('when a catalog has products without a category and a category of 25', () => {
  it('the shopper reaches every product, paging the big category ten at a time', async () => {
    const harness = await start();
    const tag = randomUUID().slice(0, 6);
    for (let i = 1; i <= 25; i++) await addProduct(harness, `Chips ${tag} #${String(i).padStart(2, '0')}`, 'Snacks: salty');
    for (let i = 1; i <= 2; i++) await addProduct(harness, `Juice ${tag} #${i}`, 'Drinks');
    for (let i = 1; i <= 3; i++) await addProduct(harness, `Loose item ${tag} #${i}`);

    const { reached, entries, pagesOf } = await browseEverything(new Chat(harness));
    expect(entries).toContain('📦 Other products');
    expect(entries.at(-1)).toBe('📦 Other products');
    expect(pagesOf['Snacks: salty']).toEqual([10, 10, 5]);
    expect(pagesOf['📦 Other products']).toEqual([3]);
    expect([...new Set(reached)].sort()).toEqual(await activeProductNames(harness));
    expect(reached).toHaveLength(new Set(reached).size); // no page repeats a product
  });
});

describe('when the shop has no categories at all', () => {
  it('goes straight to the products from Shop, with "More ▶" after the first ten', async () => {
    const harness = await start();
    const tag = randomUUID().slice(0, 6);
    for (let i = 1; i <= 12; i++) await addProduct(harness, `Plain ${tag} #${String(i).padStart(2, '0')}`);

    const chat = new Chat(harness);
    const { reached, pagesOf } = await browseEverything(chat);
    expect(chat.texts().join('\n')).not.toMatch(/shelves are empty/);
    expect(pagesOf['(products)']).toEqual([10, 2]);
    expect([...reached].sort()).toEqual(await activeProductNames(harness));
  });
});

describe('when a search finds more than ten products', () => {
  it('pages the results ten at a time with "More ▶", reaching every match and nothing else', async () => {
    const harness = await start();
    const tag = randomUUID().slice(0, 6);
    // the words contain ':' too (the payload carries them after the cursor)
    for (let i = 1; i <= 23; i++) await addProduct(harness, `Mug ${tag}: big #${String(i).padStart(2, '0')}`, i % 2 ? 'Kitchen' : undefined);
    await addProduct(harness, `Plate ${tag} #1`, 'Kitchen');

    const chat = new Chat(harness);
    await chat.say(`${tag}: big`);
    const first = chat.replies();
    expect(chat.texts(first)[0]).toBe(`Here's what I found for "${tag}: big":`);
    const { titles, pages } = await readAllPages(chat, first);
    expect(pages).toEqual([10, 10, 3]);
    expect([...titles].sort()).toEqual((await activeProductNames(harness)).filter((n) => n.startsWith(`Mug ${tag}`)));
    expect(titles).toHaveLength(new Set(titles).size);
  });

  it('answers a "More ▶" whose words are gone with the menu, not silence', async () => {
    const harness = await start();
    const chat = new Chat(harness);
    await chat.send(events.quickReply(chat.psid, 'More ▶', 'SEARCH_PAGE:aWQ6MTA:no such thing anywhere'));
    expect(chat.lastText()).toBe('Nothing more found for "no such thing anywhere".');
    expect(quickReplies(chat.replies()).map((q) => q.title)).toContain('🛍️ Shop');
  });
});
