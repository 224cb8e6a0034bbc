import { z } from 'zod';
import { ORDER_STATUSES } from '../orders/index.js';

/**
 * What each /api route answers, as zod schemas: they are the OpenAPI document's responses (openapi.ts),
 * and tests check the real answers against that document. Objects are loose (a new field is not a
 * breaking change); the fields listed are always there.
 */
const decimal = z.string().regex(/^-?\d+\.\d{2}$/).describe('money as a DECIMAL string, e.g. "2100.00"');
const validationError = z.object({ field: z.string(), message: z.string(), code: z.string() });
const warning = z.object({ code: z.string(), message: z.string() });

export const failure = z.looseObject({
  success: z.literal(false),
  error: z.string(),
  code: z.string().describe('a stable code, e.g. VALIDATION_FAILED, INVALID_PROMO, ORDER_NOT_FOUND'),
  validation_errors: z.array(validationError).optional(),
});

const order = z.looseObject({
  id: z.number().int(),
  order_number: z.string(),
  order_status: z.enum(ORDER_STATUSES),
  payment_method: z.string(),
  payment_status: z.string(),
  payment_proof_media_id: z.number().int().nullable(),
  subtotal: decimal,
  shipping_fee: decimal,
  discount_amount: decimal,
  total_amount: decimal,
  promo_code: z.string().nullable(),
  created_at: z.string(),
  customer: z.looseObject({ name: z.string() }),
});

export const product = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  price: decimal,
  stock_quantity: z.number().int(),
  reserved_quantity: z.number().int(),
  available_quantity: z.number().int(),
  status: z.enum(['active', 'inactive']),
  category: z.string().nullable(),
  image_url: z.string().nullable(),
});

export const orderCreated = z.object({ success: z.literal(true), order_number: z.string(), order_id: z.number().int(), message: z.string(), warnings: z.array(warning) });
export const orderQuote = z.object({
  success: z.literal(true),
  subtotal: z.number(),
  shipping_fee: z.number(),
  discount_amount: z.number(),
  total_amount: z.number(),
  promo_code: z.string().nullable(),
  items: z.array(z.object({ product_id: z.number().int(), name: z.string(), quantity: z.number().int(), unit_price: z.number(), line_total: z.number() })),
  warnings: z.array(warning),
});
export const orderPage = z.object({ success: z.literal(true), orders: z.array(order), next_cursor: z.string().nullable() });
export const orderFound = z.object({ success: z.literal(true), order: order.extend({ items: z.array(z.looseObject({ product_id: z.number().int(), quantity: z.number().int() })), history: z.array(z.looseObject({ to_status: z.string() })) }) });
export const orderAction = z.object({ success: z.literal(true), message: z.string(), order_status: z.enum(ORDER_STATUSES) });
export const productFound = product.extend({ success: z.literal(true) });
export const productPage = z.object({ success: z.literal(true), products: z.array(product), next_cursor: z.string().nullable() });
export const imageStored = z.object({ success: z.literal(true), image_url: z.string() });
export const reportSummary = z.looseObject({
  success: z.literal(true),
  today: z.looseObject({ total_orders: z.number(), delivered: z.number(), total_errors: z.number() }),
  inventory_alerts: z.array(z.looseObject({ name: z.string() })),
  processing_queue: z.array(z.looseObject({ queue_type: z.string(), status: z.string(), count: z.number() })),
});

/** The image itself (not JSON). */
export const imageBytes = { description: 'the stored image', content: { 'image/*': { schema: { type: 'string', format: 'binary' } } } };

/** The failures every /api route can answer with, plus a route's own. */
export function withFailures<T extends Record<number, unknown>>(ok: T, ...statuses: number[]) {
  return { ...ok, ...Object.fromEntries([400, 401, ...statuses].map((s) => [s, failure])) } as T & Record<number, unknown>;
}
