import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../helpers/factories.js';
import { JPEG_BYTES, PNG_1PX } from '../../helpers/fake-cdn.js';
import { startTestApi, type TestApi } from './http-test-app.js';

/** POST /api/products/:id/image and the public /media/<id>.<ext> it answers with. */
describe('product images', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ PUBLIC_URL: 'https://shop.example.com' });
  });
  afterAll(async () => api.close());

  const upload = (id: number, body: Buffer | string, contentType: string, key?: string | null) =>
    api.request({ method: 'POST', url: `/api/products/${id}/image`, body, headers: { 'content-type': contentType }, key });

  it('stores a raw image body and serves it publicly with long cache headers and an ETag', async () => {
    const id = await makeProduct(api.app.db);
    const res = await upload(id, PNG_1PX, 'image/png');
    expect(res.statusCode).toBe(200);
    const { image_url } = res.json();
    expect(res.json()).toEqual({ success: true, image_url: expect.stringMatching(/^https:\/\/shop\.example\.com\/media\/[0-9a-f]{32}\.png$/) });
    expect((await api.request({ url: `/api/products/${id}` })).json().image_url).toBe(image_url);

    const path = new URL(image_url).pathname;
    const got = await api.request({ url: path, key: null });
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(PNG_1PX)).toBe(true);
    expect(got.headers).toMatchObject({ 'content-type': 'image/png', 'cache-control': 'public, max-age=31536000, immutable', etag: expect.stringMatching(/^"[0-9a-f]{64}"$/) });
    const again = await api.request({ url: path, key: null, headers: { 'if-none-match': String(got.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect((await api.request({ url: path.replace(/\.png$/, '.jpg'), key: null })).statusCode).toBe(404);
    expect((await api.request({ url: '/media/0123456789abcdef0123456789abcdef.png', key: null })).statusCode).toBe(404);
  });

  it('takes the multipart field "image" and stores identical bytes once', async () => {
    const [a, b] = [await makeProduct(api.app.db), await makeProduct(api.app.db)];
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(JPEG_BYTES)], { type: 'image/jpeg' }), 'photo.jpg');
    const req = new Request('http://x/', { method: 'POST', body: form });
    const body = Buffer.from(await req.arrayBuffer());
    const first = await upload(a, body, req.headers.get('content-type')!);
    expect(first.statusCode).toBe(200);
    expect(first.json().image_url).toMatch(/\.jpg$/);
    const second = await upload(b, JPEG_BYTES, 'image/jpeg');
    expect(second.json().image_url).toBe(first.json().image_url);
    const [[n]] = await api.app.db.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM media WHERE kind = 'product_image' AND size = ?", [JPEG_BYTES.length]);
    expect(Number(n!.n)).toBe(1);
  });

  it('answers 415 for a non-image (by its bytes or its content type), 404 for an unknown product, 401 without the key', async () => {
    const id = await makeProduct(api.app.db);
    const fake = await upload(id, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml');
    expect(fake.statusCode).toBe(415);
    expect(fake.json()).toMatchObject({ success: false, code: 'NOT_AN_IMAGE', error: expect.stringMatching(/not a JPEG, PNG, WebP or GIF image/) });
    expect((await upload(id, 'hello', 'text/plain')).statusCode).toBe(415);
    expect((await api.request({ method: 'POST', url: `/api/products/${id}/image`, body: { image: 'x' } })).statusCode).toBe(415);
    expect((await upload(987654321, PNG_1PX, 'image/png')).json()).toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
    expect((await upload(id, PNG_1PX, 'image/png', null)).statusCode).toBe(401);
    expect((await api.request({ url: `/api/products/${id}` })).json().image_url).toBeNull();
  });
});
