import type { CheckoutField, ErrorCode, FieldCheck } from './types.js';

/**
 * The shipping-address rules, one per field, shared by createOrder's schema and the bot (through
 * validateCheckoutField) so the bot re-asks with exactly the engine's words.
 */
interface FieldRule {
  normalize(raw: string): string;
  test(value: string): boolean;
  code: ErrorCode;
  message: string;
}

const squash = (s: string) => s.trim().replace(/\s+/g, ' ');
const textRule = (min: number, max: number, message: string): FieldRule => ({
  normalize: squash,
  test: (v) => v.length >= min && v.length <= max,
  code: 'INVALID_FORMAT',
  message,
});

/** Philippine mobile numbers: 09XXXXXXXXX or +639XXXXXXXXX (spaces, dashes and dots are ignored). */
export const PH_MOBILE_RE = /^(09\d{9}|\+639\d{9})$/;

export const FIELD_RULES: Record<CheckoutField, FieldRule> = {
  name: textRule(2, 100, "Please enter the recipient's full name (2 to 100 characters)."),
  phone: {
    normalize: (raw) => raw.trim().replace(/[\s\-.()]/g, ''),
    test: (v) => PH_MOBILE_RE.test(v),
    code: 'INVALID_FORMAT',
    message: 'Please enter a Philippine mobile number like 09171234567 or +639171234567.',
  },
  address: textRule(5, 300, 'Please enter the street address: house number, street and barangay (5 to 300 characters).'),
  city: textRule(2, 100, 'Please enter the city or municipality (2 to 100 characters).'),
  province: textRule(2, 100, 'Please enter the province, e.g. Metro Manila (2 to 100 characters).'),
  postal_code: {
    normalize: (raw) => raw.trim(),
    test: (v) => /^\d{4}$/.test(v),
    code: 'INVALID_FORMAT',
    message: 'Please enter the 4-digit postal code, e.g. 1000.',
  },
};

/** Check one field; on success returns the normalized value to store. */
export function checkField(field: CheckoutField, value: unknown): FieldCheck {
  const rule = FIELD_RULES[field];
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    return { ok: false, code: 'REQUIRED', message: rule.message };
  }
  if (typeof value !== 'string') return { ok: false, code: 'INVALID_TYPE', message: rule.message };
  const v = rule.normalize(value);
  return rule.test(v) ? { ok: true, value: v } : { ok: false, code: rule.code, message: rule.message };
}

/** 09171234567 and +639171234567 are the same phone: compare as 639171234567. */
export function canonicalPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.startsWith('0') ? `63${digits.slice(1)}` : digits;
}
