/**
 * The shop's time zone as one fixed UTC offset ('+08:00' for Asia/Manila). It is the MySQL session time
 * zone (so that DATE(created_at) = CURDATE() in the seed's queries and views means "today in the shop")
 * and the driver's offset for converting TIMESTAMPs, both set once per connection. A fixed offset is only
 * right for a zone without daylight saving: MySQL cannot follow a named zone's clock changes unless its
 * time zone tables are loaded (often they are not), and the driver can only take an offset. So a zone
 * whose offset changes is refused at start-up (see `fixedOffsetProblem`) instead of drifting an hour
 * twice a year.
 */
export function tzOffset(timeZone: string, at = new Date()): string {
  return offsetAt(new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }), at);
}

function offsetAt(fmt: Intl.DateTimeFormat, at: Date): string {
  const name = fmt.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
}

/** MariaDB/MySQL accept session offsets from -12:59 to +13:00 only. */
export function isSessionOffsetSupported(offset: string): boolean {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) return false;
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return minutes >= -(12 * 60 + 59) && minutes <= 13 * 60;
}

const DAY_MS = 86_400_000;

/** Every UTC offset the zone uses from a year before `at` to two years after it, sampled weekly (sorted); no zone's
 * daylight saving period is shorter than a week. */
export function offsetsAround(timeZone: string, at = new Date()): string[] {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  const seen = new Set<string>();
  for (let t = at.getTime() - 366 * DAY_MS; t <= at.getTime() + 731 * DAY_MS; t += 7 * DAY_MS) seen.add(offsetAt(fmt, new Date(t)));
  return [...seen].sort();
}

/** Why a zone cannot be the shop's fixed offset (it changes its clock), or null when it can. */
export function fixedOffsetProblem(timeZone: string, at = new Date()): string | null {
  const offsets = offsetsAround(timeZone, at);
  if (offsets.length <= 1) return null;
  return (
    `${timeZone} changes its UTC offset (${offsets.map((o) => `UTC${o}`).join(' / ')}, daylight saving), and QuickSell ` +
    'keeps one fixed offset for the database session; use a zone without daylight saving' +
    ` (for UTC${tzOffset(timeZone, at)} all year, e.g. ${etcZoneFor(tzOffset(timeZone, at)) ?? 'a fixed-offset zone'})`
  );
}

/** '-05:00' → 'Etc/GMT+5' (POSIX sign: Etc/GMT+5 is five hours behind UTC); null for a non-whole hour. */
function etcZoneFor(offset: string): string | null {
  const m = /^([+-])(\d{2}):00$/.exec(offset);
  if (!m) return null;
  const hours = Number(m[2]);
  return hours === 0 ? 'Etc/UTC' : `Etc/GMT${m[1] === '-' ? '+' : '-'}${hours}`;
}

/** The zone's one UTC offset; throws for a zone with daylight saving (config refuses those first). */
export function fixedOffset(timeZone: string, at = new Date()): string {
  const problem = fixedOffsetProblem(timeZone, at);
  if (problem) throw new Error(`SHOP_TIMEZONE: ${problem}`);
  return tzOffset(timeZone, at);
}
