import { z } from 'zod';
import type { Config } from '../config.js';
import { ORDER_STATUSES } from '../orders/index.js';
import { orderInputSchema } from '../orders/schemas.js';
import { decodeCursor } from '../orders/rows.js';
import { findUnknownFields } from './unknown-fields.js';

/**
 * Request shapes of the REST API. Objects are strict: an unknown field is a 400 that names it.
 * Order and product bodies are checked field by field by the engine (its rules, its messages); here
 * they only have to be JSON objects.
 */
export const idParams = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a positive whole number')
    .transform(Number),
});

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const limit = z
  .string()
  .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be from 1 to 100').max(100, 'must be from 1 to 100'));
// A cursor the engine cannot read would silently restart at page one; refuse it instead.
const cursor = z
  .string()
  .max(200)
  .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned (use next_cursor from the previous page)');

export const listOrdersQuery = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  user_id: z.string().regex(/^[1-9]\d{0,14}$/, 'must be a positive whole number').transform(Number).optional(),
  limit: limit.default(20),
  cursor: cursor.optional(),
});

/**
 * The order body: a JSON object whose fields the engine's own schema declares (unknown ones, at any
 * depth, are named in a 400 here); the engine then checks every value with its rules.
 */
export function orderBody(config: Config) {
  const engineSchema = orderInputSchema(config);
  return z
    .looseObject({
      order_source: z
        .string()
        .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a short lowercase word such as api or messenger')
        .optional(),
    })
    .superRefine((data, ctx) => {
      for (const e of findUnknownFields(engineSchema, data)) {
        ctx.addIssue({ code: 'custom', path: e.field.split('.'), message: e.message, params: { code: e.code } });
      }
    });
}

export const confirmBody = z.strictObject({ notes: z.string().trim().max(1000, 'must be at most 1000 characters').optional() });
export const cancelBody = z.strictObject({ reason: text(500).default('Cancelled by admin') });
export const shipBody = z.strictObject({ tracking_number: text(100).optional() });
export const emptyBody = z.strictObject({});

export const listProductsQuery = z.strictObject({
  status: z.enum(['active', 'inactive', 'all']).optional(),
  category: text(100).optional(),
  search: text(200).optional(),
  limit: limit.default(20),
  cursor: cursor.optional(),
});

/** Field values are validated by the engine (createProduct / updateProduct take unknown input). */
export const productBody = z.looseObject({});

/**
 * POST /api/products: the body the issue defines. The engine checks the values but ignores keys it
 * does not know, so the keys are checked here (PATCH is strict in the engine already).
 */
const PRODUCT_FIELDS = ['name', 'price', 'stock_quantity', 'sku', 'description', 'category', 'image_url', 'low_stock_threshold', 'status'];
export const newProductBody = productBody.superRefine((data, ctx) => {
  for (const key of Object.keys(data)) {
    if (!PRODUCT_FIELDS.includes(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `unknown field "${key}"`, params: { code: 'UNKNOWN_FIELD' } });
    }
  }
});

export const stockBody = z.strictObject({
  delta: z
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(-1_000_000, 'must be between -1000000 and 1000000')
    .max(1_000_000, 'must be between -1000000 and 1000000')
    .refine((n) => n !== 0, 'must not be 0'),
  reason: text(500),
});
