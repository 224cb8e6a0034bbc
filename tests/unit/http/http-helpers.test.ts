import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { inspectJson, parseForm } from '../../../src/http/body-parsers.js';
import { httpStatusFor } from '../../../src/http/errors.js';
import { canonicalJson } from '../../../src/http/idempotency.js';
import { toValidationErrors } from '../../../src/http/validation.js';
import { stockBody } from '../../../src/http/schemas.js';

describe('form bodies', () => {
  it('decodes + as space and percent-encoded UTF-8', () => {
    expect(parseForm('notes=Bayad+na+%E2%82%B1100&x=')).toEqual({ notes: 'Bayad na ₱100', x: '' });
  });

  it('refuses percent-encoded bytes that are not UTF-8', () => {
    expect(() => parseForm('reason=%FF%FE')).toThrow(/UTF-8/);
  });

  it('refuses raw invalid bytes (seen as U+FFFD after decoding)', () => {
    expect(() => parseForm('reason=caf\uFFFD')).toThrow(/UTF-8/);
  });

  it('refuses a broken percent escape', () => {
    expect(() => parseForm('reason=100%')).toThrow(/x-www-form-urlencoded/);
  });

  it('keeps a repeated key as an array so the schema rejects it', () => {
    expect(parseForm('reason=a&reason=b')).toEqual({ reason: ['a', 'b'] });
  });

  it('keeps __proto__ as an ordinary field instead of changing the prototype', () => {
    const parsed = parseForm('__proto__=x');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
  });
});

describe('result code → HTTP status', () => {
  it.each([
    ['INVALID_FORMAT', 'path', 400],
    ['INSUFFICIENT_STOCK', 'body', 400],
    ['ORDER_NOT_FOUND', 'path', 404],
    ['PRODUCT_NOT_FOUND', 'path', 404],
    ['PRODUCT_NOT_FOUND', 'body', 400],
    ['USER_NOT_FOUND', 'body', 400],
    ['INVALID_TRANSITION', 'path', 409],
    ['STOCK_BELOW_RESERVED', 'path', 409],
    ['DUPLICATE_SKU', 'path', 409],
    ['INTERNAL_ERROR', 'path', 500],
    ['SOMETHING_NEW', 'path', 500],
  ] as const)('%s named in the %s → %i', (code, where, status) => {
    expect(httpStatusFor(code, where)).toBe(status);
  });
});

describe('zod issues → validation_errors', () => {
  it('names every unknown field and every bad field with a stable code', () => {
    const parsed = stockBody.safeParse({ delta: 1.5, reason: '', extra: 1, other: 2 }, { reportInput: true });
    expect(parsed.success).toBe(false);
    const errors = toValidationErrors(parsed.error!.issues);
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'extra', message: 'unknown field "extra"', code: 'UNKNOWN_FIELD' },
        { field: 'other', message: 'unknown field "other"', code: 'UNKNOWN_FIELD' },
        expect.objectContaining({ field: 'delta', code: 'INVALID_TYPE' }),
        expect.objectContaining({ field: 'reason', code: 'REQUIRED' }),
      ]),
    );
  });

  it('calls a missing field REQUIRED', () => {
    const parsed = stockBody.safeParse({ reason: 'restock' }, { reportInput: true });
    expect(toValidationErrors(parsed.error!.issues)).toEqual([{ field: 'delta', message: 'is required', code: 'REQUIRED' }]);
  });

  it('writes nested paths the way the seed names fields', () => {
    const schema = z.object({ items: z.array(z.object({ quantity: z.number().max(5) })) });
    const parsed = schema.safeParse({ items: [{ quantity: 1 }, { quantity: 9 }] });
    expect(toValidationErrors(parsed.error!.issues)).toEqual([
      expect.objectContaining({ field: 'items.1.quantity', code: 'OUT_OF_RANGE' }),
    ]);
  });
});

describe('idempotency fingerprints', () => {
  it('treat the same body with keys in another order as the same request', () => {
    expect(canonicalJson({ a: 1, b: { d: [1, 2], c: 'x' } })).toBe(canonicalJson({ b: { c: 'x', d: [1, 2] }, a: 1 }));
  });

  it('tell different values apart', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });
});

describe('inspecting parsed JSON', () => {
  it('counts the nesting of objects and arrays, not scalars', () => {
    expect(inspectJson(1).depth).toBe(0);
    expect(inspectJson({ a: [1, { b: 2 }] }).depth).toBe(3);
  });

  it('stops counting past the limit without recursing', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(inspectJson(deep, 32).depth).toBe(33);
  });

  it('finds a lone surrogate in a value or a key, and accepts real emoji', () => {
    expect(inspectJson({ name: 'Juan 😀' }).loneSurrogate).toBe(false);
    expect(inspectJson({ a: [{ name: 'x\ud800y' }] }).loneSurrogate).toBe(true);
    expect(inspectJson({ ['\udc00']: 1 }).loneSurrogate).toBe(true);
  });
});
