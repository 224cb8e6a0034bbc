import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../config.js';
import type { ActionResult, OrderService } from '../orders/index.js';
import { actorOf } from './auth.js';
import { sendEngineFailure } from './errors.js';
import { cancelBody, confirmBody, orderBody, emptyBody, idParams, listOrdersQuery, shipBody } from './schemas.js';
import type { ZodTypeProvider } from './validation.js';
import * as R from './response-schemas.js';
import { withFailures } from './response-schemas.js';

/** /api/orders: each handler parses (schemas), calls one engine function and maps its result. */
function sendAction(reply: FastifyReply, result: ActionResult): FastifyReply {
  if (!result.success) return sendEngineFailure(reply, result);
  return reply.send({ success: true, message: result.message, order_status: result.order_status });
}

const actionResponses = withFailures({ 200: R.orderAction }, 404, 409);

const orderNotFound = { success: false, error: 'Order not found', code: 'ORDER_NOT_FOUND' } as const;

export function orderRoutes(orders: OrderService, config: Config) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.post('/api/orders', { schema: { body: orderBody(config), response: withFailures({ 201: R.orderCreated }, 409) } }, async (request, reply) => {
      // Like the seed, the route stamps where the order came from; a client cannot claim another IP.
      const source = {
        order_source: request.body.order_source ?? 'api',
        ip_address: request.ip.slice(0, 45),
        user_agent: request.headers['user-agent']?.slice(0, 500) ?? null,
      };
      // With an Idempotency-Key the engine stores the key on the order in the order's own transaction, so
      // a retry after a crash (before the answer was recorded) gets this order back, not a second one.
      const idempotency_key = request.idempotencyRequestKey;
      const result = await orders.createOrder({ ...request.body, ...source }, { actor: actorOf(request.admin), ...source, idempotency_key });
      if (!result.success) return sendEngineFailure(reply, result, 'body');
      const { order, message, warnings } = result;
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send({ success: true, order_number: order.order_number, order_id: order.id, message, warnings });
    });

    // What POST /api/orders would charge now (same body, client totals optional); nothing is written.
    app.post('/api/orders/quote', { schema: { body: orderBody(config), response: withFailures({ 200: R.orderQuote }) } }, async (request, reply) => {
      const quote = await orders.quoteOrder(request.body);
      return quote.success ? reply.send(quote) : sendEngineFailure(reply, quote, 'body');
    });

    app.get('/api/orders', { schema: { querystring: listOrdersQuery, response: withFailures({ 200: R.orderPage }) } }, async (request) => {
      const page = await orders.listOrders(request.query);
      return { success: true, orders: page.orders, next_cursor: page.next_cursor };
    });

    app.get('/api/orders/:id', { schema: { params: idParams, response: withFailures({ 200: R.orderFound }, 404) } }, async (request, reply) => {
      const order = await orders.getOrder(request.params.id);
      return order ? { success: true, order } : reply.code(404).send(orderNotFound);
    });

    app.post('/api/orders/:id/confirm', { schema: { params: idParams, body: confirmBody, response: actionResponses } }, async (request, reply) =>
      sendAction(reply, await orders.confirmOrder(request.params.id, request.body.notes || undefined, actorOf(request.admin))),
    );

    app.post('/api/orders/:id/cancel', { schema: { params: idParams, body: cancelBody, response: actionResponses } }, async (request, reply) =>
      sendAction(reply, await orders.cancelOrder(request.params.id, request.body.reason, actorOf(request.admin))),
    );

    app.post('/api/orders/:id/ship', { schema: { params: idParams, body: shipBody, response: actionResponses } }, async (request, reply) =>
      sendAction(reply, await orders.shipOrder(request.params.id, request.body, actorOf(request.admin))),
    );

    app.post('/api/orders/:id/deliver', { schema: { params: idParams, body: emptyBody, response: actionResponses } }, async (request, reply) =>
      sendAction(reply, await orders.deliverOrder(request.params.id, actorOf(request.admin))),
    );
  };
}
