import { z } from 'zod';
import type { Config } from '../config.js';
import { checkField } from './checkout-fields.js';
import { MAX_ORDER_AMOUNT, MAX_PRICE, toCentavos, toDecimal, type Centavos } from './money.js';
import type { CheckoutField, ErrorCode, ValidationError } from './types.js';

/** Whole pesos too many to parse as an amount at all (more than 10 digits): too big, not malformed. */
const tooBig = (v: number | string) => (typeof v === 'number' ? Number.isFinite(v) && v >= 1e10 : /^\s*\d{11,}(\.\d{1,2})?\s*$/.test(v));

/** A money amount in the shop's CURRENCY (number or DECIMAL string, ≤ 2 decimals, 0 to max) parsed into centavos.
 * The schemas are built without config, so their messages name amounts without a currency symbol. */
export const moneyUpTo = (max: Centavos) =>
  z.union([z.number(), z.string()]).transform((v, ctx): Centavos => {
    const c = toCentavos(v);
    if (tooBig(v) || (c !== null && c > max)) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${toDecimal(max)}`, params: { code: 'OUT_OF_RANGE' } });
      return z.NEVER;
    }
    if (c === null || c < 0) {
      ctx.addIssue({ code: 'custom', message: 'must be an amount of money (0 or more, at most 2 decimals)', params: { code: 'INVALID_FORMAT' } });
      return z.NEVER;
    }
    return c;
  });
/** An order amount (the client's totals) */
export const moneyField = moneyUpTo(MAX_ORDER_AMOUNT);
/** A product's price */
export const priceField = moneyUpTo(MAX_PRICE);

const addressField = (field: CheckoutField) =>
  z.any().transform((v, ctx): string => {
    const r = checkField(field, v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.message, params: { code: r.code } });
      return z.NEVER;
    }
    return r.value;
  });

const optText = (max: number) => z.string().trim().max(max).nullish();

export function orderInputSchema(config: Pick<Config, 'MAX_ITEM_QUANTITY' | 'MAX_ORDER_LINES' | 'PAYMENT_METHODS'>) {
  const methods = config.PAYMENT_METHODS;
  return z.object({
    user_id: z.number().int().positive(),
    items: z
      .array(
        z.object({
          product_id: z.number().int().positive(),
          quantity: z.number().int().min(1).max(config.MAX_ITEM_QUANTITY),
        }),
      )
      .min(1)
      .max(config.MAX_ORDER_LINES)
      .superRefine((items, ctx) => {
        // the cap is per product: duplicate lines are merged (mergeLines) and must not add up past it
        for (const line of mergeLines(items)) {
          if (line.quantity <= config.MAX_ITEM_QUANTITY) continue;
          ctx.addIssue({
            code: 'custom',
            path: [line.index, 'quantity'],
            message: `at most ${config.MAX_ITEM_QUANTITY} of product ${line.product_id} per order (its lines add up to ${line.quantity})`,
            params: { code: 'OUT_OF_RANGE' },
          });
        }
      }),
    subtotal: moneyField.optional(),
    shipping_fee: moneyField.optional(),
    discount_amount: moneyField.optional(),
    total_amount: moneyField.optional(),
    payment_method: z.string().refine((m) => methods.includes(m), {
      message: `must be one of: ${methods.join(', ')}`,
      params: { code: 'INVALID_PAYMENT_METHOD' },
    }),
    shipping_address: z.object({
      recipient_name: addressField('name'),
      phone: addressField('phone'),
      address: addressField('address'),
      city: addressField('city'),
      province: addressField('province'),
      postal_code: addressField('postal_code'),
    }),
    promo_code: optText(50),
    order_source: optText(32),
    ip_address: optText(45),
    user_agent: z.string().nullish(),
  });
}

export type OrderInput = z.output<ReturnType<typeof orderInputSchema>>;

/** One line per product: duplicate lines are summed before stock is checked. */
export function mergeLines(items: { product_id: number; quantity: number }[]): { product_id: number; quantity: number; index: number }[] {
  const byProduct = new Map<number, { product_id: number; quantity: number; index: number }>();
  items.forEach((it, index) => {
    const seen = byProduct.get(it.product_id);
    if (seen) seen.quantity += it.quantity;
    else byProduct.set(it.product_id, { ...it, index });
  });
  // product order: every transaction locks products in the same order (no deadlocks between orders)
  return [...byProduct.values()].sort((a, b) => a.product_id - b.product_id);
}

/** zod issues → the seed's validation_errors with stable codes. */
export function toValidationErrors(issues: readonly z.core.$ZodIssue[]): ValidationError[] {
  return issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(body)';
    const input = (issue as { input?: unknown }).input;
    const custom = (issue as { params?: { code?: ErrorCode } }).params?.code;
    if (custom) return { field, code: custom, message: issue.message };
    switch (issue.code) {
      case 'invalid_type':
        if (input === undefined || input === null) return { field, code: 'REQUIRED', message: `${field} is required` };
        return { field, code: 'INVALID_TYPE', message: `${field} must be ${describeExpected(issue.expected)}` };
      case 'too_small':
        if (issue.origin === 'array') return { field, code: 'REQUIRED', message: `${field} must have at least ${String(issue.minimum)} entry` };
        if (issue.origin === 'string') return { field, code: 'REQUIRED', message: `${field} is required` };
        return { field, code: 'OUT_OF_RANGE', message: `${field} must be at least ${String(issue.minimum)}` };
      case 'too_big':
        if (issue.origin === 'string') return { field, code: 'TOO_LONG', message: `${field} must be at most ${String(issue.maximum)} characters` };
        if (issue.origin === 'array') return { field, code: 'OUT_OF_RANGE', message: `${field} may have at most ${String(issue.maximum)} entries` };
        return { field, code: 'OUT_OF_RANGE', message: `${field} must be at most ${String(issue.maximum)}` };
      case 'unrecognized_keys':
        return { field: issue.keys.join(', '), code: 'UNKNOWN_FIELD', message: `unknown field(s): ${issue.keys.join(', ')}` };
      case 'invalid_value':
        return { field, code: 'INVALID_FORMAT', message: `${field} ${issue.message.toLowerCase()}` };
      default:
        return { field, code: 'INVALID_FORMAT', message: `${field}: ${issue.message}` };
    }
  });
}

function describeExpected(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'object') return 'an object';
  if (expected === 'array') return 'a list';
  return `a ${expected}`;
}

/** Parse with input reported, so a missing field reads REQUIRED rather than INVALID_TYPE. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown):
  | { ok: true; value: z.output<S> }
  | { ok: false; errors: ValidationError[] } {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, errors: [{ field: '(body)', code: 'INVALID_TYPE', message: 'the request body must be a JSON object' }] };
  }
  const r = schema.safeParse(data, { reportInput: true });
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: toValidationErrors(r.error.issues) };
}
