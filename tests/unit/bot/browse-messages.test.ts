import { describe, expect, it } from 'vitest';
import { parsePayload, P } from '../../../src/bot/payloads.js';
import { categoriesMessage, onlyUncategorized, OTHER_PRODUCTS_TITLE, productPage } from '../../../src/bot/messages-shop.js';
import { attachmentKind, attachmentReply } from '../../../src/bot/messages-attachments.js';
import type { Product } from '../../../src/orders/types.js';

const product = (id: number): Product => ({
  id, sku: null, name: `P${id}`, description: null, price: '10.00', stock_quantity: 5, reserved_quantity: 0, available_quantity: 5,
  low_stock_threshold: 0, status: 'active', category: null, image_url: null, created_at: '', updated_at: '',
});

describe('browsing payloads', () => {
  it('round-trips a category page whose name contains colons', () => {
    expect(parsePayload(P.categoryPage('Snacks: salty: big', 'aWQ6MTA'))).toEqual({ name: 'CATEGORY_PAGE', args: ['aWQ6MTA', 'Snacks: salty: big'] });
    expect(parsePayload(P.otherProducts())).toEqual({ name: 'OTHER_PRODUCTS', args: [] });
    expect(parsePayload(P.otherProducts('aWQ6MTA'))).toEqual({ name: 'OTHER_PRODUCTS', args: ['aWQ6MTA'] });
    expect(parsePayload('CATEGORY_PAGE:onlycursor')).toEqual({ name: 'CATEGORY_PAGE', args: ['onlycursor'] });
    expect(parsePayload(P.searchPage('mug: big', 'aWQ6MTA'))).toEqual({ name: 'SEARCH_PAGE', args: ['aWQ6MTA', 'mug: big'] });
  });
});

describe('the category list', () => {
  const cats = (n: number, other = true) => [
    ...Array.from({ length: n }, (_, i) => ({ category: `C${String(i).padStart(2, '0')}`, product_count: 1 })),
    ...(other ? [{ category: null, product_count: 3 }] : []),
  ];

  it('ends with "Other products" for the products without a category, paging ten at a time', () => {
    const first = categoriesMessage(cats(12)).quick_replies!;
    expect(first).toHaveLength(11);
    expect(first.at(-1)).toEqual({ title: 'More ▶', payload: 'SHOP:10' });
    const second = categoriesMessage(cats(12), 10).quick_replies!;
    expect(second.map((q) => q.title)).toEqual(['C10', 'C11', OTHER_PRODUCTS_TITLE]);
    expect(second.at(-1)!.payload).toBe('OTHER_PRODUCTS');
  });

  it('starts over for an offset that is negative, fractional or past the end', () => {
    for (const offset of [-5, 2.5, 99, Number.NaN]) expect(categoriesMessage(cats(3), offset).quick_replies![0]!.title).toBe('C00');
  });

  it('knows a shop with products but no categories', () => {
    expect(onlyUncategorized(cats(0))).toBe(true);
    expect(onlyUncategorized(cats(2))).toBe(false);
    expect(onlyUncategorized([])).toBe(false);
  });

  it('offers "More ▶" under a carousel only when there is a next page', () => {
    expect(productPage([product(1)], 'OTHER_PRODUCTS:x', 'PHP').quick_replies![0]).toEqual({ title: 'More ▶', payload: 'OTHER_PRODUCTS:x' });
    expect(productPage([product(1)], null, 'PHP').quick_replies!.map((q) => q.title)).not.toContain('More ▶');
  });
});

describe('attachments', () => {
  it.each([
    [[{ type: 'image', url: 'https://x/y.jpg' }], 'image'],
    [[{ type: 'sticker', url: 'https://x/s.png' }], 'sticker'],
    [[{ type: 'location', url: null }], 'location'],
    [[{ type: 'audio', url: 'https://x/a.mp4' }], 'audio'],
    [[{ type: 'fallback', url: null }], 'link'],
    [[{ type: 'sticker', url: null }, { type: 'file', url: 'https://x/f.pdf' }], 'file'],
    [[{ type: 'ig_reel', url: null }], 'other'],
    [[{ type: 'video', url: 'https://x/v.mp4' }, { type: 'image', url: 'https://x/i.jpg' }], 'image'],
  ] as const)('%j is a %s', (attachments, kind) => {
    expect(attachmentKind([...attachments])).toBe(kind);
  });

  it('never answers a non-photo with the payment-proof line', () => {
    for (const kind of ['sticker', 'location', 'audio', 'video', 'file', 'link', 'other'] as const) {
      expect(attachmentReply(kind).text).not.toMatch(/only use a photo as the payment proof/);
    }
  });
});
