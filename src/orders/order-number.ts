import { randomInt } from 'node:crypto';

/** ORD-YYYYMMDD-NNNNN: the date is the shop's (SHOP_TIMEZONE), the suffix random; a clash is retried
 * by the caller on the unique key (uq_orders_number). */
const formatters = new Map<string, Intl.DateTimeFormat>();
/** the shop's date per time zone for one minute (every zone's day starts on a whole minute); Intl is slow */
const dates = new Map<string, { minute: number; ymd: string }>();

/**
 * The suffixes this process gave out on the shop's current day, per time zone. A number this process
 * already used today is a certain clash, and with random draws those grow with the day's orders (the
 * birthday bound: ~5 % of orders at 5,000 a day); each clash cost a rollback and a second transaction
 * (in a group: the order rolled back to its savepoint and written again alone). Other processes' numbers
 * can still clash; the caller retries those. At most 100,000 entries a day (~2 MB); older days dropped.
 */
const issued = new Map<string, { ymd: string; used: Set<number> }>();
/** draws before taking a used suffix anyway (a day past ~90 % of the space): the caller retries the clash */
const DRAWS = 16;

export function orderNumber(now: Date, timeZone: string): string {
  const ymd = shopDate(now, timeZone);
  let today = issued.get(timeZone);
  if (today?.ymd !== ymd) issued.set(timeZone, (today = { ymd, used: new Set() }));
  let n = randomInt(0, 100_000);
  for (let i = 1; i < DRAWS && today.used.has(n); i++) n = randomInt(0, 100_000);
  today.used.add(n);
  return `ORD-${ymd}-${String(n).padStart(5, '0')}`;
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
