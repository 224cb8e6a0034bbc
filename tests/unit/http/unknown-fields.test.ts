import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findUnknownFields } from '../../../src/http/unknown-fields.js';
import { orderInputSchema } from '../../../src/orders/schemas.js';
import { loadConfig } from '../../../src/config.js';

describe('unknown fields, found from the engine schema itself', () => {
  const schema = orderInputSchema(loadConfig({}));

  it('accepts the seed payload as it is', () => {
    const payload = {
      user_id: 1,
      items: [{ product_id: 1, quantity: 2 }],
      total_amount: 2100,
      payment_method: 'cod',
      shipping_address: { recipient_name: 'A', phone: '0912', address: 'x', city: 'y', province: 'z', postal_code: '1000' },
      promo_code: null,
    };
    expect(findUnknownFields(schema, payload)).toEqual([]);
  });

  it('names unknown keys at the top, inside list items and inside nested objects', () => {
    const payload = {
      user_id: 1,
      is_admin: true,
      items: [{ product_id: 1, quantity: 2 }, { product_id: 2, quantity: 1, unit_price: 1 }],
      shipping_address: { city: 'Manila', landmark: 'near the church' },
    };
    expect(findUnknownFields(schema, payload).map((e) => e.field)).toEqual(['is_admin', 'items.1.unit_price', 'shipping_address.landmark']);
  });

  it('looks through optional, nullable, default and pipe wrappers, and leaves loose objects open', () => {
    const s = z.object({
      a: z.object({ b: z.number() }).nullable().optional(),
      c: z.string().transform(Number).pipe(z.number()),
      d: z.looseObject({}).default({}),
    });
    expect(findUnknownFields(s, { a: { b: 1, x: 1 }, c: '1', d: { anything: 1 } })).toEqual([
      { field: 'a.x', message: 'unknown field "x"', code: 'UNKNOWN_FIELD' },
    ]);
  });
});
