import type { RowDataPacket } from 'mysql2/promise';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { JPEG_BYTES, PNG_1PX, startFakeCdn, type FakeCdn } from '../../helpers/fake-cdn.js';
import { eventually, startJobsApp, uniquePsid, type JobsTestApp } from './jobs-harness.js';

/**
 * Payment proofs: downloaded by the media worker from a fake https CDN (self-signed, trusted only through
 * buildApp's mediaExtraCa), stored in the media table, shown to admins as an upload, served to the admin
 * API after the source is gone; refused files and hosts answered to the shopper; a download that keeps
 * failing marks the order and tells the admins.
 */
describe('payment proofs', () => {
  let t: JobsTestApp;
  let cdn: FakeCdn;
  const adminPsid = uniquePsid('admin');
  const key = `root-${randomUUID()}`;

  beforeAll(async () => {
    cdn = await startFakeCdn();
    t = await startJobsApp(
      { ADMIN_PSIDS: adminPsid, ADMIN_API_KEY: key, API_RATE_LIMIT: '0', MEDIA_ALLOWED_HOSTS: '127.0.0.1', MEDIA_MAX_BYTES: '2048', JOB_ATTEMPTS: '3', MEDIA_CONNECT_TIMEOUT_MS: '1000' },
      { mediaExtraCa: cdn.ca },
    );
  });
  afterAll(async () => {
    await t?.close();
    await cdn?.close();
  });

  async function gcashOrder() {
    const psid = uniquePsid('cust');
    const userId = await makeUser(t.db, { psid, name: 'Maria Santos' });
    await t.db.query('UPDATE users SET last_message_at = NOW() WHERE id = ?', [userId]);
    const productId = await makeProduct(t.db, { stock: 10 });
    const res = await t.app.orders.createOrder({ ...seedOrderPayload(userId, productId), payment_method: 'gcash' });
    if (!res.success) throw new Error(res.error);
    return { psid, id: res.order.id, number: res.order.order_number };
  }
  const proofApi = (orderId: number) => t.app.http!.inject({ method: 'GET', url: `/api/orders/${orderId}/payment-proof`, headers: { authorization: `Bearer ${key}` } });
  const texts = (psid: string) => t.graph.sentTo(psid).map((m) => m.body.message?.text ?? '');
  const order = (id: number) => t.app.orders.getOrder(id);

  it('downloads the proof, stores it, shows the stored image to the admins and serves it after the source URL is gone', async () => {
    const o = await gcashOrder();
    expect((await proofApi(o.id)).statusCode).toBe(404);
    const url = cdn.put(`/v/t1/${randomUUID()}.png`, PNG_1PX);
    expect(await t.app.orders.attachPaymentProof(o.id, url, `customer:${o.psid}`)).toMatchObject({ success: true });
    const stored = await eventually(async () => (await order(o.id))?.payment_proof_media_id, 15_000, 'proof stored');
    expect(await order(o.id)).toMatchObject({ payment_status: 'proof_submitted', payment_proof_error: null });

    // the admin alert carries the stored bytes as an upload, not Messenger's expiring URL
    const [image] = await t.graph.waitFor((msgs) => msgs.some((m) => m.psid === adminPsid && m.body.message?.attachment?.type === 'image'))
      .then((msgs) => msgs.filter((m) => m.psid === adminPsid && m.body.message?.attachment?.type === 'image'));
    const sentUrl = String(image!.body.message!.attachment!.payload.url);
    expect(sentUrl).toBe(`data:image/png;base64,${PNG_1PX.toString('base64')}`);
    expect(texts(adminPsid).some((x) => x.startsWith(`🧾 Payment proof for ${o.number}`))).toBe(true);

    cdn.remove(new URL(url).pathname);
    const res = await proofApi(o.id);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.rawPayload.equals(PNG_1PX)).toBe(true);
    const [[row]] = await t.db.query<RowDataPacket[]>('SELECT kind, size, sha256, content_type FROM media WHERE id = ?', [stored]);
    expect(row).toMatchObject({ kind: 'payment_proof', size: PNG_1PX.length, content_type: 'image/png' });
    // proofs are never public, even by their own public id
    const [[m]] = await t.db.query<RowDataPacket[]>('SELECT public_id FROM media WHERE id = ?', [stored]);
    expect((await t.app.http!.inject({ method: 'GET', url: `/media/${m!.public_id}.png` })).statusCode).toBe(404);
    expect((await t.app.http!.inject({ method: 'GET', url: `/api/orders/${o.id}/payment-proof` })).statusCode).toBe(401);
  });

  async function refusedWith(url: string, reason: RegExp) {
    const o = await gcashOrder();
    expect(await t.app.orders.attachPaymentProof(o.id, url, `customer:${o.psid}`)).toMatchObject({ success: true });
    await t.graph.waitFor(() => texts(o.psid).some((x) => x.startsWith('⚠️ We could not use the photo')));
    const said = texts(o.psid).find((x) => x.startsWith('⚠️ We could not use the photo'))!;
    expect(said).toMatch(reason);
    expect(said).toContain(o.number);
    const after = await order(o.id);
    expect(after).toMatchObject({ payment_status: 'unpaid', payment_proof_media_id: null, payment_proof_url: null });
    expect(after!.payment_proof_error).toMatch(reason);
    const proof = await proofApi(o.id);
    expect(proof.statusCode).toBe(404);
    expect(proof.json().error).toMatch(reason);
    return o;
  }

  it('refuses a file that is not an image and tells the shopper why', async () => {
    await refusedWith(cdn.put(`/${randomUUID()}.jpg`, Buffer.from('%PDF-1.7 this is a document')), /not a JPEG, PNG, WebP or GIF image/);
  });

  it('refuses a file over MEDIA_MAX_BYTES, declared or streamed', async () => {
    const big = Buffer.concat([JPEG_BYTES, Buffer.alloc(4096, 1)]);
    await refusedWith(cdn.put(`/${randomUUID()}.jpg`, big), /the file is \d+ KB, more than the 2 KB allowed/);
    // no content-length (chunked): the limit holds while streaming
    await refusedWith(cdn.put(`/${randomUUID()}.jpg`, big, { 'transfer-encoding': 'chunked' }), /the file is more than the 2 KB allowed/);
  });

  it('never fetches from a host outside MEDIA_ALLOWED_HOSTS, directly or through a redirect', async () => {
    const path = `/${randomUUID()}.png`;
    cdn.put(path, PNG_1PX);
    const port = new URL(cdn.origin).port;
    await refusedWith(`https://localhost:${port}${path}`, /only fetched from Messenger's own servers \(not localhost\)/);
    expect(cdn.hits(path)).toBe(0);
    await refusedWith(cdn.redirect(`/${randomUUID()}`, `https://localhost:${port}${path}`), /not localhost/);
    expect(cdn.hits(path)).toBe(0);
    await refusedWith(`http://127.0.0.1:${port}${path}`, /not 127\.0\.0\.1/);
    expect(cdn.hits(path)).toBe(0);
  });

  it('retries a download that fails, then marks the order and tells the admins', async () => {
    const o = await gcashOrder();
    // nothing listens on port 9 of 127.0.0.1 (discard): every try fails to connect
    expect(await t.app.orders.attachPaymentProof(o.id, 'https://127.0.0.1:9/proof.jpg', `customer:${o.psid}`)).toMatchObject({ success: true });
    await t.graph.waitFor(() => texts(adminPsid).some((x) => x.includes(`sent for ${o.number} could not be saved`)), 20_000);
    expect((await order(o.id))!.payment_proof_error).toMatch(/^download failed after 3 tries/);
    const [[row]] = await t.db.query<RowDataPacket[]>(`SELECT attempts, status FROM order_processing_queue WHERE order_id = ? AND queue_type = 'proof_download'`, [o.id]);
    expect(row).toMatchObject({ attempts: 3, status: 'completed' });
  });
});
