/** The shop's UTC offset ('+08:00' for Asia/Manila), used as the MySQL session time zone so that
 * DATE(created_at) = CURDATE() in the seed's queries means "today in the shop". */
export function tzOffset(timeZone: string, at = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
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
