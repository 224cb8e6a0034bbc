import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { PNG_1PX } from '../../helpers/fake-cdn.js';
import { startTestApi, type TestApi } from './http-test-app.js';

/**
 * The OpenAPI document at /docs/json against the app itself: every registered /api route is in it, and
 * what the routes answer for the seed's examples matches the responses it documents.
 */
type Doc = { paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };

describe('the OpenAPI document', () => {
  let api: TestApi;
  let doc: Doc;
  const ajv = new Ajv({ strict: false, allErrors: true });
  beforeAll(async () => {
    api = await startTestApi();
    const res = await api.request({ url: '/docs/json', key: null });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => api.close());

  const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

  it('lists every registered /api route, each marked as needing the admin key, and the UI is served', async () => {
    const routes = api.app.http!.routeList.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(10);
    const missing = routes.filter((r) => !doc.paths[openapiPath(r.url)]?.[r.method.toLowerCase()]);
    expect(missing).toEqual([]);
    for (const r of routes) expect(doc.paths[openapiPath(r.url)]![r.method.toLowerCase()]!.security).toEqual([{ adminKey: [] }]);
    expect(doc.paths['/media/{name}']?.get?.security).toBeUndefined();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/webhook') || p.startsWith('/simulator'))).toBe(false);
    expect((await api.request({ url: '/docs', key: null })).statusCode).toBeLessThan(400);
  });

  it('holds real schemas: a wrong answer would not pass', () => {
    const created = doc.paths['/api/orders']!.post!.responses['201']!.content!['application/json']!.schema;
    expect(ajv.compile(created)({ success: true, order_number: 'ORD-1', order_id: 'not a number', message: 'x', warnings: [] })).toBe(false);
    expect(Object.keys(doc.paths['/api/orders']!.post!.responses).sort()).toEqual(['201', '400', '401', '409']);
  });

  /** the answer must match the documented schema of its own status code */
  async function matches(method: string, route: string, opts: { url: string; body?: unknown; headers?: Record<string, string> }) {
    const res = await api.request({ method: method as 'GET', ...opts });
    const documented = doc.paths[openapiPath(route)]?.[method.toLowerCase()]?.responses[String(res.statusCode)];
    expect(documented, `${method} ${route} answered ${res.statusCode}, which is not documented`).toBeDefined();
    const json = documented!.content?.['application/json'];
    if (json) {
      const validate = ajv.compile(json.schema);
      expect(validate(res.json()), `${method} ${route} ${res.statusCode}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    return res;
  }

  it('documents what the routes answer for the seed examples', async () => {
    const userId = await makeUser(api.app.db);
    const productId = await makeProduct(api.app.db, { stock: 10, price: '1000.00' });
    const seed = seedOrderPayload(userId, productId);
    await matches('POST', '/api/orders/quote', { url: '/api/orders/quote', body: seed });
    await matches('POST', '/api/orders/quote', { url: '/api/orders/quote', body: { ...seed, promo_code: 'NO-SUCH-CODE' } });
    const created = await matches('POST', '/api/orders', { url: '/api/orders', body: seed });
    expect(created.statusCode).toBe(201);
    const id = created.json().order_id as number;
    await matches('POST', '/api/orders', { url: '/api/orders', body: { ...seed, items: [] } });
    await matches('GET', '/api/orders', { url: '/api/orders?limit=5' });
    await matches('GET', '/api/orders/:id', { url: `/api/orders/${id}` });
    await matches('GET', '/api/orders/:id', { url: '/api/orders/987654321' });
    await matches('GET', '/api/orders/:id/payment-proof', { url: `/api/orders/${id}/payment-proof` });
    await matches('POST', '/api/orders/:id/confirm', { url: `/api/orders/${id}/confirm`, body: { notes: 'ok' } });
    await matches('POST', '/api/orders/:id/confirm', { url: `/api/orders/${id}/confirm`, body: {} });
    await matches('POST', '/api/orders/:id/ship', { url: `/api/orders/${id}/ship`, body: { tracking_number: 'JNT-1' } });
    await matches('POST', '/api/orders/:id/deliver', { url: `/api/orders/${id}/deliver` });
    await matches('POST', '/api/orders/:id/cancel', { url: `/api/orders/${id}/cancel`, body: {} });

    const p = await matches('POST', '/api/products', { url: '/api/products', body: { name: `Doc ${randomUUID().slice(0, 6)}`, price: 99.5, stock_quantity: 3 } });
    const pid = p.json().id as number;
    await matches('GET', '/api/products', { url: '/api/products?limit=2' });
    await matches('GET', '/api/products/:id', { url: `/api/products/${pid}` });
    await matches('PATCH', '/api/products/:id', { url: `/api/products/${pid}`, body: { price: 120 } });
    await matches('POST', '/api/products/:id/stock', { url: `/api/products/${pid}/stock`, body: { delta: 5, reason: 'restock' } });
    await matches('POST', '/api/products/:id/image', { url: `/api/products/${pid}/image`, body: PNG_1PX, headers: { 'content-type': 'image/png' } });
    await matches('POST', '/api/products/:id/image', { url: `/api/products/${pid}/image`, body: 'text', headers: { 'content-type': 'text/plain' } });
    await matches('GET', '/api/reports/summary', { url: '/api/reports/summary' });
  });
});
