import type { FastifyInstance, FastifyReply } from 'fastify';
import type { OrderService, ProductResult } from '../orders/index.js';
import { actorOf } from './auth.js';
import { sendEngineFailure } from './errors.js';
import { idParams, listProductsQuery, newProductBody, productBody, stockBody } from './schemas.js';
import type { ZodTypeProvider } from './validation.js';
import * as R from './response-schemas.js';
import { withFailures } from './response-schemas.js';

/** /api/products and /api/reports: the catalog and the seed's monitoring dashboard, through the engine. */
function sendProduct(reply: FastifyReply, result: ProductResult, status = 200): FastifyReply {
  if (!result.success) return sendEngineFailure(reply, result);
  return reply.code(status).send({ success: true, ...result.product });
}

const productNotFound = { success: false, error: 'Product not found', code: 'PRODUCT_NOT_FOUND' } as const;

export function productRoutes(orders: OrderService) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get('/api/products', { schema: { querystring: listProductsQuery, response: withFailures({ 200: R.productPage }) } }, async (request) => {
      const page = await orders.listProducts(request.query);
      return { success: true, products: page.products, next_cursor: page.next_cursor };
    });

    app.get('/api/products/:id', { schema: { params: idParams, response: withFailures({ 200: R.productFound }, 404) } }, async (request, reply) => {
      const product = await orders.getProduct(request.params.id);
      return product ? { success: true, ...product } : reply.code(404).send(productNotFound);
    });

    app.post('/api/products', { schema: { body: newProductBody, response: withFailures({ 201: R.productFound }, 409) } }, async (request, reply) =>
      sendProduct(reply, await orders.createProduct(request.body), 201),
    );

    app.patch('/api/products/:id', { schema: { params: idParams, body: productBody, response: withFailures({ 200: R.productFound }, 404) } }, async (request, reply) =>
      sendProduct(reply, await orders.updateProduct(request.params.id, request.body)),
    );

    app.post('/api/products/:id/stock', { schema: { params: idParams, body: stockBody, response: withFailures({ 200: R.productFound }, 404, 409) } }, async (request, reply) => {
      const { delta, reason } = request.body;
      return sendProduct(reply, await orders.adjustStock(request.params.id, delta, reason, actorOf(request.admin)));
    });

    app.get('/api/reports/summary', { schema: { response: withFailures({ 200: R.reportSummary }) } }, async () => ({ success: true, ...(await orders.reportSummary()) }));
  };
}
