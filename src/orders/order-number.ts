import { randomInt } from 'node:crypto';

/** ORD-YYYYMMDD-NNNNN: the date is the shop's (SHOP_TIMEZONE), the suffix random; a clash is retried
 * by the caller on the unique key (uq_orders_number). */
export function orderNumber(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `ORD-${get('year')}${get('month')}${get('day')}-${String(randomInt(0, 100_000)).padStart(5, '0')}`;
}
