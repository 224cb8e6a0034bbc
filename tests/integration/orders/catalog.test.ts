import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { engineFixture, rows, type EngineFixture } from './engine-fixture.js';

let f: EngineFixture;
beforeAll(() => {
  f = engineFixture();
});
afterAll(() => f.close());

const tag = () => randomUUID().slice(0, 8);

describe('the product catalog', () => {
  it('creates a product with defaults and reads it back with available stock', async () => {
    const r = await f.orders.createProduct({ name: 'Barong Tagalog', price: '2499.50', stock_quantity: 4, category: `Apparel-${tag()}` });
    expect(r).toMatchObject({ success: true, product: { name: 'Barong Tagalog', price: '2499.50', stock_quantity: 4, reserved_quantity: 0, available_quantity: 4, status: 'active', low_stock_threshold: 5 } });
    if (!r.success) return;
    expect(await f.orders.getProduct(r.product.id)).toEqual(r.product);
    expect(await f.orders.getProduct(987654321)).toBeNull();
  });

  it('rejects bad product input naming each field, and a duplicate SKU', async () => {
    const r = await f.orders.createProduct({ name: '', price: -5, stock_quantity: 1.5, image_url: 'ftp://x' });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.code).toBe('VALIDATION_FAILED');
    expect(r.validation_errors.map((e) => e.field).sort()).toEqual(['image_url', 'name', 'price', 'stock_quantity']);
    const sku = `SKU-${tag()}`;
    expect((await f.orders.createProduct({ name: 'A', price: 1, sku })).success).toBe(true);
    expect(await f.orders.createProduct({ name: 'B', price: 1, sku })).toMatchObject({ success: false, code: 'DUPLICATE_SKU' });
  });

  it('updates price and status; stock is not a patchable field', async () => {
    const r = await f.orders.createProduct({ name: 'Tsinelas', price: 150, stock_quantity: 10 });
    if (!r.success) throw new Error(r.error);
    const u = await f.orders.updateProduct(r.product.id, { price: 175.25, status: 'inactive' });
    expect(u).toMatchObject({ success: true, product: { price: '175.25', status: 'inactive' } });
    expect(await f.orders.updateProduct(r.product.id, { stock_quantity: 99 })).toMatchObject({ success: false, validation_errors: [{ code: 'UNKNOWN_FIELD' }] });
    expect(await f.orders.updateProduct(r.product.id, {})).toMatchObject({ success: false, validation_errors: [{ code: 'REQUIRED' }] });
    expect(await f.orders.updateProduct(987654321, { price: 1 })).toMatchObject({ success: false, code: 'PRODUCT_NOT_FOUND' });
  });

  it('restocks and adjusts, recording who and why, but never below what is reserved', async () => {
    const r = await f.orders.createProduct({ name: 'Pasalubong box', price: 1000, stock_quantity: 5, low_stock_threshold: 0 });
    if (!r.success) throw new Error(r.error);
    const id = r.product.id;
    const placed = await f.orders.createOrder({ ...seedOrderPayload(await makeUser(f.db), id, 4), subtotal: 4000, total_amount: 4100 });
    expect(placed.success).toBe(true);
    const below = await f.orders.adjustStock(id, -2, 'damaged', 'admin:Ana');
    expect(below).toMatchObject({ success: false, code: 'STOCK_BELOW_RESERVED', error: expect.stringContaining('4 are reserved for open orders') });
    expect((await f.orders.getProduct(id))!.stock_quantity).toBe(5);
    expect(await f.orders.adjustStock(id, -1, 'damaged in transit', 'admin:Ana')).toMatchObject({ success: true, product: { stock_quantity: 4, available_quantity: 0 } });
    expect(await f.orders.adjustStock(id, 20, 'restock from supplier', 'admin:Ana')).toMatchObject({ success: true, product: { stock_quantity: 24, available_quantity: 20 } });
    expect(await f.orders.adjustStock(id, 0, '')).toMatchObject({ success: false, validation_errors: [{ field: 'delta' }, { field: 'reason' }] });
    const log = await rows(f.db, 'SELECT delta, stock_before, stock_after, reason, actor FROM inventory_adjustments WHERE product_id = ? ORDER BY id', [id]);
    expect(log).toEqual([
      { delta: -1, stock_before: 5, stock_after: 4, reason: 'damaged in transit', actor: 'admin:Ana' },
      { delta: 20, stock_before: 4, stock_after: 24, reason: 'restock from supplier', actor: 'admin:Ana' },
    ]);
  });

  it('sets stock to a counted number with the same rule and history, and says how many are reserved', async () => {
    const r = await f.orders.createProduct({ name: 'Banig mat', price: 1000, stock_quantity: 6, low_stock_threshold: 0 });
    if (!r.success) throw new Error(r.error);
    const id = r.product.id;
    expect((await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), id, 2))).success).toBe(true);
    const below = await f.orders.setStock(id, 1, 'count', 'admin:Ana');
    expect(below).toMatchObject({
      success: false,
      code: 'STOCK_BELOW_RESERVED',
      error: 'Cannot make the stock of Banig mat 1: 2 are reserved for open orders (stock is 6; it cannot go below 2)',
    });
    expect(await f.orders.setStock(id, 2, 'shelf count', 'admin:Ana')).toMatchObject({ success: true, product: { stock_quantity: 2, available_quantity: 0 } });
    expect(await f.orders.setStock(id, -1, 'x')).toMatchObject({ success: false, code: 'VALIDATION_FAILED', validation_errors: [{ field: 'stock_quantity' }] });
    const log = await rows(f.db, 'SELECT delta, stock_before, stock_after, reason, actor FROM inventory_adjustments WHERE product_id = ? ORDER BY id', [id]);
    expect(log).toEqual([{ delta: -4, stock_before: 6, stock_after: 2, reason: 'shelf count', actor: 'admin:Ana' }]);
  });

  it('lists active products by category and search, paged, and counts categories', async () => {
    const category = `Snacks-${tag()}`;
    for (const name of ['Dried Mango', 'Chicharon', 'Dried Pusit']) await f.orders.createProduct({ name, price: 100, stock_quantity: 3, category });
    await f.orders.createProduct({ name: 'Dried Old Stock', price: 100, category, status: 'inactive' });
    const page1 = await f.orders.listProducts({ category, limit: 2 });
    expect(page1.products.map((p) => p.name)).toEqual(['Dried Mango', 'Chicharon']);
    const page2 = await f.orders.listProducts({ category, limit: 2, cursor: page1.next_cursor! });
    expect(page2).toMatchObject({ products: [{ name: 'Dried Pusit' }], next_cursor: null });
    expect((await f.orders.listProducts({ category, search: 'dried' })).products.map((p) => p.name)).toEqual(['Dried Mango', 'Dried Pusit']);
    expect((await f.orders.listProducts({ category, search: 'dried', status: 'all' })).products).toHaveLength(3);
    expect((await f.orders.listProducts({ category, search: '100%' })).products).toEqual([]);
    expect(await f.orders.listCategories()).toContainEqual({ category, product_count: 3 });
  });
});
