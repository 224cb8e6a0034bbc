/**
 * Money as integer centavos. DECIMAL(12,2) values arrive from mysql2 as strings ('2100.00'); clients may
 * send numbers (2100.0). Both convert exactly; arithmetic happens on integers only.
 */
export type Centavos = number;

/**
 * Bounds that keep every amount storable: orders' and order_items' money columns are DECIMAL(12,2)
 * (at most ₱9,999,999,999.99). A product price is at most ₱100,000,000.00; a line total, a subtotal
 * and an order total at most ₱1,000,000,000.00, checked in validation (OUT_OF_RANGE), never left to
 * the database (an out-of-range write was a 500).
 */
export const MAX_PRICE: Centavos = 100_000_000_00;
export const MAX_ORDER_AMOUNT: Centavos = 1_000_000_000_00;

const DECIMAL_RE = /^(-)?(\d{1,10})(?:\.(\d{1,2}))?$/;

/** Parse '2100.00', '2100.5', 2100 or 2100.5 into centavos; null when it is not a peso amount with ≤ 2 decimals. */
export function toCentavos(value: string | number): Centavos | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    const scaled = Math.round(value * 100);
    if (Math.abs(scaled - value * 100) > 1e-6 * Math.max(1, Math.abs(value))) return null;
    return Math.abs(scaled) > 1e12 ? null : scaled;
  }
  const m = DECIMAL_RE.exec(value.trim());
  if (!m) return null;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '0').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

/** Centavos → DECIMAL string for SQL and API results ('2100.00'). */
export function toDecimal(c: Centavos): string {
  const sign = c < 0 ? '-' : '';
  const abs = Math.abs(c);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Centavos → number of pesos (the seed's result shape: total_amount: 2100.0). */
export function toPesos(c: Centavos): number {
  return c / 100;
}

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * The one way money is shown to people: in the shop's CURRENCY (config), with its own symbol and
 * decimals: '₱2,100.00' for PHP, '$2,100.00' for USD. Accepts a DECIMAL string or a number of whole
 * units, or integer minor units with unit 'centavos'. The amount is formatted from its exact decimal
 * string, never through floating-point arithmetic.
 */
export function formatMoney(amount: string | number, currency: string, unit: 'pesos' | 'centavos' = 'pesos'): string {
  const c = unit === 'centavos' ? Number(amount) : toCentavos(amount);
  if (c === null || !Number.isSafeInteger(c)) return `${currency} ${String(amount)}`;
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' });
    formatters.set(currency, f);
  }
  // a numeric string is formatted exactly (Intl.NumberFormat v3); the lib's type knows only number | bigint
  return f.format(toDecimal(c) as unknown as number);
}

/** percent of an amount, rounded half-up to the centavo (percent may have 2 decimals, e.g. 12.5). */
export function percentOf(c: Centavos, percentCentavos: Centavos): Centavos {
  // c * (p/100) / 100 with p in centavos-of-percent: c * p / 10000
  return Math.floor((c * percentCentavos + 5000) / 10000);
}
