import { randomInt } from 'node:crypto';

/** ORD-YYYYMMDD-NNNNN: the date is the shop's (SHOP_TIMEZONE), the suffix random; a clash is retried
 * by the caller on the unique key (uq_orders_number). */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function orderNumber(now: Date, timeZone: string): string {
  let fmt = formatters.get(timeZone);
  if (!fmt) formatters.set(timeZone, (fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = fmt.formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `ORD-${get('year')}${get('month')}${get('day')}-${String(randomInt(0, 100_000)).padStart(5, '0')}`;
}
