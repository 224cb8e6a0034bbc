import type { OrderService, OrderServiceDeps } from './service-api.js';
import * as catalog from './catalog.js';
import { changeStock, setVisibility } from './inventory.js';
import { daySummary } from './day-summary.js';
import { checkField } from './checkout-fields.js';
import { createOrder } from './create-order.js';
import { createGroupCommit } from './group-commit.js';
import { createReadGroup } from './group-reads.js';
import { quoteOrder } from './price-order.js';
import type { EngineContext } from './engine-context.js';
import { getOrder, getOrderByNumber, listOrders } from './order-queries.js';
import { attachPaymentProof, paymentProofFailed, storePaymentProof } from './payment-proof.js';
import { reportSummary } from './reports.js';
import { orderInputSchema } from './schemas.js';
import { serverTraits } from '../db/server-traits.js';
import { orderNumber } from './order-number.js';
import { move, notFound } from './transitions.js';
import type { ActionResult } from './types.js';

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => (p ??= fn().catch((err: unknown) => {
    p = null;
    throw err;
  }));
}

const validId = (id: unknown): id is number => Number.isSafeInteger(id) && (id as number) > 0;
const clip = (s: string | undefined | null, n: number) => (s && s.trim() ? s.trim().slice(0, n) : null);

export function createOrderService(deps: OrderServiceDeps): OrderService {
  const clock = deps.clock ?? (() => new Date());
  const ctx: EngineContext = {
    db: deps.db,
    batchDb: deps.batchDb,
    config: deps.config,
    logger: deps.logger,
    outbox: deps.outbox,
    observer: deps.observer,
    clock,
    fault: async (step) => {
      if (deps.faultHook) await deps.faultHook(step);
    },
    orderSchema: orderInputSchema(deps.config),
    nextOrderNumber: () => (deps.orderNumbers ?? ((now) => orderNumber(now, deps.config.SHOP_TIMEZONE)))(clock()),
    readGroup: createReadGroup(deps.batchDb),
    serverTraits: once(async () => deps.serverTraits ?? serverTraits(deps.db)),
    liveHolds: deps.liveHolds,
  };
  // concurrent createOrder writes coalesced into one transaction (group-commit.ts)
  const writer = { ...ctx, groupCommit: createGroupCommit(ctx) };
  const guard = (id: number, run: () => Promise<ActionResult>) => (validId(id) ? run() : Promise.resolve(notFound(id)));

  return {
    createOrder: (data, context) => createOrder(writer, data, context),
    quoteOrder: (data, cartId) => quoteOrder(ctx, data, cartId ?? null),
    confirmOrder: (id, notes, actor = 'admin') =>
      guard(id, () =>
        move(ctx, id, { operation: 'confirm', to: 'confirmed', actor, reason: clip(notes, 500) ?? 'Confirmed', params: [actor.slice(0, 100), clip(notes, 5000)], success: 'Order {order} confirmed' }),
      ),
    cancelOrder: (id, reason, by, expectedStatus) =>
      guard(id, () => {
        const why = clip(reason, 500) ?? `Cancelled by ${by}`;
        return move(ctx, id, { operation: 'cancel', to: 'cancelled', expected: expectedStatus, actor: by || 'admin', reason: why, params: [why], success: 'Order {order} cancelled and inventory released' });
      }),
    expireOrder: (id, actor = 'system') =>
      guard(id, () =>
        move(ctx, id, { operation: 'expire', to: 'expired', actor, reason: 'Reservation expired', params: ['Reservation expired: not confirmed in time'], success: 'Order {order} expired and its stock released' }),
      ),
    markProcessing: (id, actor = 'system') =>
      guard(id, () => move(ctx, id, { operation: 'process', to: 'processing', actor, reason: 'Fulfilment started', params: [], success: 'Order {order} is being prepared' })),
    shipOrder: (id, input = {}, actor = 'admin') =>
      guard(id, () =>
        move(ctx, id, { operation: 'ship', to: 'shipped', via: 'processing', actor, reason: 'Shipped', params: [clip(input.tracking_number, 100)], success: 'Order {order} shipped' }),
      ),
    deliverOrder: (id, actor = 'admin') =>
      guard(id, () => move(ctx, id, { operation: 'deliver', to: 'delivered', actor, reason: 'Delivered', params: [], success: 'Order {order} delivered' })),
    attachPaymentProof: (id, url, actor) => attachPaymentProof(ctx, id, url, actor),
    storePaymentProof: (id, mediaId, actor) => storePaymentProof(ctx, id, mediaId, actor),
    paymentProofFailed: (id, reason, refused) => paymentProofFailed(ctx, id, reason, refused),
    getOrder: (id) => getOrder(ctx.db, id),
    getOrderByNumber: (number) => getOrderByNumber(ctx.db, number),
    listOrders: (query) => listOrders(ctx.db, query),
    listProducts: (query) => catalog.listProducts(ctx, query),
    getProduct: (id) => catalog.getProduct(ctx, id),
    createProduct: (input) => catalog.createProduct(ctx, input),
    updateProduct: (id, patch) => catalog.updateProduct(ctx, id, patch),
    adjustStock: (id, delta, reason, actor) => changeStock(ctx, id, { delta }, reason, actor),
    setStock: (id, stock, reason, actor) => changeStock(ctx, id, { set: stock }, reason, actor),
    listCategories: () => catalog.listCategories(ctx),
    setVisibility: (id, visible, actor) => setVisibility(ctx, id, visible, actor),
    checkProductField: (field, value) => catalog.checkProductField(field, value),
    daySummary: () => daySummary(ctx.db),
    quoteShipping: (province, subtotal) => catalog.quoteShipping(ctx, province, subtotal),
    validateCheckoutField: (field, value) => checkField(field, value),
    reportSummary: () => reportSummary(ctx.db),
  };
}
