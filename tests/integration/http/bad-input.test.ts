import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { startTestApi, type TestApi } from './http-test-app.js';

/**
 * Bad input gets a clear 4xx naming what is wrong, never a 500, and changes nothing: every case below
 * is sent against a real pending order, user and product, and their rows are compared before and after.
 */
interface Case {
  name: string;
  method?: 'POST' | 'PATCH' | 'GET';
  url: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  field?: string;
}
interface Ids {
  userId: number;
  productId: number;
  orderId: number;
}

const order = (ids: Ids, patch: (p: ReturnType<typeof seedOrderPayload>) => unknown = (p) => p) =>
  patch(seedOrderPayload(ids.userId, ids.productId, 2));
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const withAddress = (ids: Ids, field: string, value: unknown) =>
  order(ids, (p) => ({ ...p, shipping_address: { ...p.shipping_address, [field]: value } }));
const withItem = (ids: Ids, field: string, value: unknown) =>
  order(ids, (p) => ({ ...p, items: [{ ...p.items[0], [field]: value }] }));
const form = { 'content-type': 'application/x-www-form-urlencoded' };

const cases: Case[] = [
  // transport
  { name: 'malformed JSON', url: () => '/api/orders', body: () => '{"user_id": 1,', headers: { 'content-type': 'application/json' }, status: 400, code: 'INVALID_JSON', field: '(body)' },
  { name: 'empty JSON body', url: () => '/api/orders', body: () => '', headers: { 'content-type': 'application/json' }, status: 400, code: 'INVALID_JSON', field: '(body)' },
  { name: 'text/plain body', url: () => '/api/orders', body: (ids) => JSON.stringify(order(ids)), headers: { 'content-type': 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', field: 'content-type' },
  { name: 'XML body', url: () => '/api/orders', body: () => '<order/>', headers: { 'content-type': 'application/xml' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', field: 'content-type' },
  { name: 'body over 1 MB', url: () => '/api/orders', body: (ids) => withAddress(ids, 'address', 'x'.repeat(1_100_000)), status: 413, code: 'BODY_TOO_LARGE', field: '(body)' },
  { name: 'invalid UTF-8 in JSON', url: () => '/api/orders', body: (ids) => Buffer.concat([json(order(ids)).subarray(0, -2), Buffer.from([0x2c, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])]), headers: { 'content-type': 'application/json' }, status: 400, code: 'INVALID_ENCODING', field: '(body)' },
  { name: 'lone surrogate escape in a JSON string', url: () => '/api/orders', body: (ids) => JSON.stringify(withAddress(ids, 'recipient_name', 'Juan')).replace('Juan', 'Juan \\ud800'), headers: { 'content-type': 'application/json' }, status: 400, code: 'INVALID_ENCODING', field: '(body)' },
  { name: 'order id too long for the router', method: 'GET', url: () => `/api/orders/${'9'.repeat(200)}`, status: 400, code: 'VALIDATION_FAILED', field: 'id' },
  { name: 'path segment over 1,000 characters', method: 'GET', url: () => `/api/orders/${'9'.repeat(2000)}`, status: 414, code: 'URL_TOO_LONG' },
  { name: 'prototype pollution key', url: () => '/api/orders', body: () => '{"__proto__": {"admin": true}}', headers: { 'content-type': 'application/json' }, status: 400, code: 'INVALID_JSON', field: '(body)' },
  { name: 'JSON nested 200,000 levels deep', url: () => '/api/orders', body: () => `{"user_id": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`, headers: { 'content-type': 'application/json', 'idempotency-key': 'deep-1' }, status: 400, code: 'INVALID_JSON', field: '(body)' },
  { name: 'JSON array instead of object', url: () => '/api/orders', body: (ids) => [order(ids)], status: 400, code: 'VALIDATION_FAILED', field: '(body)' },
  // order fields
  { name: 'unknown top-level field', url: () => '/api/orders', body: (ids) => order(ids, (p) => ({ ...p, discount: 99 })), status: 400, code: 'VALIDATION_FAILED', field: 'discount' },
  { name: 'unknown nested field', url: () => '/api/orders', body: (ids) => withItem(ids, 'price', 1), status: 400, code: 'VALIDATION_FAILED', field: 'items.0.price' },
  { name: 'negative quantity', url: () => '/api/orders', body: (ids) => withItem(ids, 'quantity', -1), status: 400, code: 'VALIDATION_FAILED', field: 'items.0.quantity' },
  { name: 'huge quantity', url: () => '/api/orders', body: (ids) => withItem(ids, 'quantity', 1e12), status: 400, code: 'VALIDATION_FAILED', field: 'items.0.quantity' },
  { name: 'non-integer quantity', url: () => '/api/orders', body: (ids) => withItem(ids, 'quantity', 1.5), status: 400, code: 'VALIDATION_FAILED', field: 'items.0.quantity' },
  { name: 'quantity as a string', url: () => '/api/orders', body: (ids) => withItem(ids, 'quantity', '2'), status: 400, code: 'VALIDATION_FAILED', field: 'items.0.quantity' },
  { name: 'SQL-looking user_id', url: () => '/api/orders', body: (ids) => order(ids, (p) => ({ ...p, user_id: '1 OR 1=1' })), status: 400, code: 'VALIDATION_FAILED', field: 'user_id' },
  { name: 'SQL-looking product_id', url: () => '/api/orders', body: (ids) => withItem(ids, 'product_id', "1; DROP TABLE orders; --"), status: 400, code: 'VALIDATION_FAILED', field: 'items.0.product_id' },
  { name: '10,000-character recipient name', url: () => '/api/orders', body: (ids) => withAddress(ids, 'recipient_name', 'N'.repeat(10_000)), status: 400, code: 'VALIDATION_FAILED', field: 'shipping_address.recipient_name' },
  { name: 'SQL-looking order_source', url: () => '/api/orders', body: (ids) => order(ids, (p) => ({ ...p, order_source: "api'; DELETE FROM orders; --" })), status: 400, code: 'VALIDATION_FAILED', field: 'order_source' },
  // actions on the pending order
  { name: 'confirm with an unknown field', url: (ids) => `/api/orders/${ids.orderId}/confirm`, body: () => ({ notes: 'ok', approved: true }), status: 400, code: 'VALIDATION_FAILED', field: 'approved' },
  { name: 'confirm with 10,000-character notes', url: (ids) => `/api/orders/${ids.orderId}/confirm`, body: () => ({ notes: 'n'.repeat(10_000) }), status: 400, code: 'VALIDATION_FAILED', field: 'notes' },
  { name: 'confirm form post with an unknown field', url: (ids) => `/api/orders/${ids.orderId}/confirm`, body: () => 'notes=ok&approved=1', headers: form, status: 400, code: 'VALIDATION_FAILED', field: 'approved' },
  { name: 'cancel form post with invalid UTF-8', url: (ids) => `/api/orders/${ids.orderId}/cancel`, body: () => 'reason=%FF%FE', headers: form, status: 400, code: 'INVALID_ENCODING', field: '(body)' },
  { name: 'cancel with a numeric reason', url: (ids) => `/api/orders/${ids.orderId}/cancel`, body: () => ({ reason: 123 }), status: 400, code: 'VALIDATION_FAILED', field: 'reason' },
  { name: 'SQL-looking order id in the path', url: () => `/api/orders/1%20OR%201=1/cancel`, body: () => ({}), status: 400, code: 'VALIDATION_FAILED', field: 'id' },
  { name: 'negative order id', url: () => '/api/orders/-1/confirm', body: () => ({}), status: 400, code: 'VALIDATION_FAILED', field: 'id' },
  { name: 'ship with an empty tracking number', url: (ids) => `/api/orders/${ids.orderId}/ship`, body: () => ({ tracking_number: '' }), status: 400, code: 'VALIDATION_FAILED', field: 'tracking_number' },
  { name: 'bad Idempotency-Key', url: () => '/api/orders', body: (ids) => order(ids), headers: { 'idempotency-key': 'é'.repeat(3) }, status: 400, code: 'VALIDATION_FAILED', field: 'idempotency-key' },
  // products
  { name: 'product with a 10,000-character name', url: () => '/api/products', body: () => ({ name: 'P'.repeat(10_000), price: 100, stock_quantity: 1 }), status: 400, code: 'VALIDATION_FAILED', field: 'name' },
  { name: 'product with a negative price', url: () => '/api/products', body: () => ({ name: 'Bad price', price: -5, stock_quantity: 1 }), status: 400, code: 'VALIDATION_FAILED', field: 'price' },
  { name: 'product with an unknown field', url: () => '/api/products', body: () => ({ name: 'Extra', price: 5, stock_quantity: 1, reserved_quantity: 0 }), status: 400, code: 'VALIDATION_FAILED', field: 'reserved_quantity' },
  { name: 'product patch with a huge threshold', method: 'PATCH', url: (ids) => `/api/products/${ids.productId}`, body: () => ({ low_stock_threshold: 1e15 }), status: 400, code: 'VALIDATION_FAILED', field: 'low_stock_threshold' },
  { name: 'stock delta not a whole number', url: (ids) => `/api/products/${ids.productId}/stock`, body: () => ({ delta: 1.5, reason: 'count' }), status: 400, code: 'VALIDATION_FAILED', field: 'delta' },
  { name: 'stock delta huge', url: (ids) => `/api/products/${ids.productId}/stock`, body: () => ({ delta: 1e12, reason: 'count' }), status: 400, code: 'VALIDATION_FAILED', field: 'delta' },
  { name: 'stock delta as a string', url: (ids) => `/api/products/${ids.productId}/stock`, body: () => ({ delta: '5', reason: 'count' }), status: 400, code: 'VALIDATION_FAILED', field: 'delta' },
  { name: 'stock change without a reason', url: (ids) => `/api/products/${ids.productId}/stock`, body: () => ({ delta: 5 }), status: 400, code: 'VALIDATION_FAILED', field: 'reason' },
  // queries
  { name: 'list limit over 100', method: 'GET', url: () => '/api/orders?limit=1000', status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
  { name: 'list with an unknown status', method: 'GET', url: () => "/api/orders?status=pending'--", status: 400, code: 'VALIDATION_FAILED', field: 'status' },
  { name: 'list with a forged cursor', method: 'GET', url: () => '/api/orders?cursor=MSBPUiAxPTE', status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },
  { name: 'query string with invalid UTF-8', method: 'GET', url: () => '/api/products?search=%FF%FE', status: 400, code: 'INVALID_ENCODING', field: '(query)' },
  { name: 'list with an unknown parameter', method: 'GET', url: () => '/api/products?sort=price', status: 400, code: 'VALIDATION_FAILED', field: 'sort' },
];

describe('bad input gets a clear 4xx and changes nothing', () => {
  let api: TestApi;
  let ids: Ids;
  let tag: string;

  async function snapshot(): Promise<string> {
    const q = async (sql: string, params: unknown[]) => (await api.app.db.query<RowDataPacket[]>(sql, params))[0];
    return JSON.stringify([
      await q('SELECT id, order_status, admin_notes, cancel_reason, tracking_number, updated_at FROM orders WHERE user_id = ? ORDER BY id', [ids.userId]),
      await q('SELECT COUNT(*) AS n FROM order_state_history WHERE order_id = ?', [ids.orderId]),
      await q('SELECT id, status, quantity FROM inventory_reservations WHERE product_id = ? ORDER BY id', [ids.productId]),
      await q('SELECT price, stock_quantity, reserved_quantity, low_stock_threshold, status, updated_at FROM products WHERE id = ?', [ids.productId]),
      await q("SELECT COUNT(*) AS n FROM products WHERE name IN ('Bad price', 'Extra') OR name LIKE 'PPPP%'", []),
    ]);
  }

  beforeAll(async () => {
    api = await startTestApi();
    tag = `bad-input-${Date.now()}`;
    const userId = await makeUser(api.app.db, { name: tag });
    const productId = await makeProduct(api.app.db, { stock: 50, price: '1000.00', name: `${tag} product` });
    const created = await api.request({ method: 'POST', url: '/api/orders', body: seedOrderPayload(userId, productId, 2) });
    expect(created.statusCode).toBe(201);
    ids = { userId, productId, orderId: created.json().order_id };
  });
  afterAll(async () => api.close());

  it.each(cases)('$name → $status $code', async (c) => {
    const before = await snapshot();
    const res = await api.request({ method: c.method ?? 'POST', url: c.url(ids), body: c.body?.(ids), headers: c.headers });
    expect(res.statusCode, res.body).toBe(c.status);
    const body = res.json();
    expect(body).toMatchObject({ success: false, code: c.code });
    expect(typeof body.error).toBe('string');
    if (c.field) expect(body.validation_errors.map((e: { field: string }) => e.field)).toContain(c.field);
    for (const e of body.validation_errors ?? []) expect(e).toEqual({ field: expect.any(String), message: expect.any(String), code: expect.any(String) });
    expect(res.body).not.toMatch(/\bat .+\.(ts|js):\d+|SELECT |INSERT |UPDATE |ER_/);
    expect(await snapshot()).toBe(before);
  });
});
