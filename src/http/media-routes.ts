import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { MediaStore } from '../media/media-store.js';
import type { ProductImages } from '../media/product-images.js';
import type { OrderService } from '../orders/index.js';
import { HttpFailure, sendEngineFailure } from './errors.js';
import { idParams } from './schemas.js';
import type { ZodTypeProvider } from './validation.js';
import { z } from 'zod';
import { failure, imageBytes, imageStored, withFailures } from './response-schemas.js';

/**
 * Images: a product photo upload and an order's payment proof under /api (admin key), and the public
 * /media/<id>.<ext> for product photos only (payment proofs are never served publicly).
 */
const notAnImage = () =>
  new HttpFailure(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the photo as a raw image/* body or as the multipart field "image"', [
    { field: 'content-type', message: 'must be image/* or multipart/form-data with a field named image', code: 'INVALID_FORMAT' },
  ]);

/** The uploaded bytes: a raw image/* body, or the `image` field of a multipart form. */
async function uploadedBytes(request: FastifyRequest): Promise<Buffer> {
  const type = request.headers['content-type'] ?? '';
  if (!Buffer.isBuffer(request.body)) throw notAnImage();
  if (!type.startsWith('multipart/form-data')) return request.body;
  let form: FormData;
  try {
    form = await new Request('http://upload/', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(request.body) }).formData();
  } catch {
    throw notAnImage();
  }
  const file = form.get('image');
  if (!file || typeof file === 'string') throw notAnImage();
  return Buffer.from(await file.arrayBuffer());
}

export function mediaApiRoutes(deps: { orders: OrderService; media: MediaStore; images: ProductImages }) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<ZodTypeProvider>();
    // raw bytes in this context only: every other /api route keeps JSON and forms
    const bodyLimit = deps.media.maxBytes + 64 * 1024;
    app.addContentTypeParser(/^(image\/[\w.+-]+|multipart\/form-data)/, { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

    app.post('/api/products/:id/image', { schema: { params: idParams, response: withFailures({ 200: imageStored }, 404, 413, 415) }, bodyLimit }, async (request, reply) => {
      const result = await deps.images.setImage(request.params.id, await uploadedBytes(request));
      if (!result.success) return sendEngineFailure(reply, result);
      return reply.send({ success: true, image_url: result.image_url });
    });

    app.get('/api/orders/:id/payment-proof', { schema: { params: idParams, response: withFailures({ 200: imageBytes }, 404) } }, async (request, reply) => {
      const order = await deps.orders.getOrder(request.params.id);
      if (!order) return reply.code(404).send({ success: false, error: 'Order not found', code: 'ORDER_NOT_FOUND' });
      const proof = order.payment_proof_media_id ? await deps.media.load(order.payment_proof_media_id) : null;
      if (!proof) {
        const why = order.payment_proof_error ? `: ${order.payment_proof_error}` : order.payment_proof_url ? ' yet (it is being downloaded)' : '';
        return reply.code(404).send({ success: false, error: `No payment proof stored for ${order.order_number}${why}`, code: 'PROOF_NOT_FOUND' });
      }
      return sendImage(reply, proof, 'private, no-store');
    });
  };
}

function sendImage(reply: FastifyReply, m: { bytes: Buffer; content_type: string; sha256: string }, cacheControl: string): FastifyReply {
  return reply.header('content-type', m.content_type).header('cache-control', cacheControl).header('etag', `"${m.sha256}"`)
    .header('x-content-type-options', 'nosniff').send(m.bytes);
}

/** Public product photos: immutable (a new photo gets a new URL), with an ETag for revalidation. */
export function publicMediaRoutes(media: MediaStore): FastifyPluginAsync {
  return async (app) => {
    // outside /api: plain JSON schema for Fastify's own validator; answers are sent as they are
    const schema = {
      params: { type: 'object', properties: { name: { type: 'string', description: '<32 hex>.<jpg|png|webp|gif>' } }, required: ['name'] },
      response: { 200: imageBytes, 304: { description: 'not modified (If-None-Match)' }, 404: z.toJSONSchema(failure, { target: 'openapi-3.0' }) },
    };
    const serializerCompiler = () => (data: unknown) => JSON.stringify(data);
    app.get<{ Params: { name: string } }>('/media/:name', { schema, serializerCompiler }, async (request, reply) => {
      const m = await media.loadPublic(request.params.name);
      if (!m) return reply.code(404).send({ success: false, error: 'No such image', code: 'NOT_FOUND' });
      if (request.headers['if-none-match'] === `"${m.sha256}"`) return reply.code(304).header('etag', `"${m.sha256}"`).send();
      return sendImage(reply, m, 'public, max-age=31536000, immutable');
    });
  };
}
