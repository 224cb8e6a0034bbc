import { randomInt } from 'node:crypto';

/** ORD-YYYYMMDD-NNNNN: the date is the shop's (SHOP_TIMEZONE), the suffix random; a clash is retried
 * by the caller on the unique key (uq_orders_number). */
const formatters = new Map<string, Intl.DateTimeFormat>();
/** the shop's date per time zone for one minute (every zone's day starts on a whole minute); Intl is slow */
const dates = new Map<string, { minute: number; ymd: string }>();

export function orderNumber(now: Date, timeZone: string): string {
  return `ORD-${shopDate(now, timeZone)}-${String(randomInt(0, 100_000)).padStart(5, '0')}`;
}

function shopDate(now: Date, timeZone: string): string {
  const minute = Math.floor(now.getTime() / 60_000);
  const cached = dates.get(timeZone);
  if (cached?.minute === minute) return cached.ymd;
  let fmt = formatters.get(timeZone);
  if (!fmt) formatters.set(timeZone, (fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = fmt.formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const ymd = `${get('year')}${get('month')}${get('day')}`;
  dates.set(timeZone, { minute, ymd });
  return ymd;
}
