import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Conn, type Db } from '../../../src/db/pool.js';
import { createNotificationBatches } from '../../../src/jobs/notification-batches.js';
import { earlierOpenFor, loadNotifications } from '../../../src/jobs/outbox-store.js';
import { privateDatabase } from '../../helpers/private-database.js';

/**
 * Loading a notification row asks whether an earlier row of the same recipient is still open. Written as
 * `ORDER BY e.id LIMIT 1`, MariaDB answered it by walking the whole table's primary key for every row loaded
 * (ANALYZE: 5,000 rows read per row on a 5,000-row table; the notifications bench spent ~30 ms per job there
 * at concurrency 50, and the cost grows with the table, i.e. with every message the shop ever sent). The
 * rows a load reads must stay bounded by the recipient's own rows, however large the table is. Counted with
 * the server's per-session handler counters, not timed.
 */
let db: Db;
let drop: () => Promise<void>;
let ids: number[];
const RECIPIENTS = 500;
const ROWS = 3000;

beforeAll(async () => {
  const own = await privateDatabase();
  drop = own.drop;
  db = createPool({ url: own.url, timeZone: 'UTC', connectionLimit: 1 });
  await db.query('INSERT INTO users (name, phone, psid, last_message_at) VALUES ?', [
    Array.from({ length: RECIPIENTS }, (_, i) => ['Buyer', '09123456789', `plan-${i}`, new Date()]),
  ]);
  const rows = Array.from({ length: ROWS }, (_, i) => [null, 'customer', `plan-${i % RECIPIENTS}`, 'order_confirmed', '{}', i < ROWS / 2 ? 'completed' : 'pending']);
  const [res] = await db.query<ResultSetHeader>('INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload, status) VALUES ?', [rows]);
  ids = Array.from({ length: ROWS }, (_, i) => res.insertId + i);
}, 60_000);
afterAll(async () => {
  await db?.end();
  await drop?.();
});

/** rows the server read for `fn`'s statements on this session's one connection */
async function rowsRead(fn: (conn: Conn) => Promise<unknown>): Promise<number> {
  const conn = await db.getConnection();
  try {
    await conn.query('FLUSH STATUS');
    await fn(conn);
    const [status] = await conn.query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Handler_read%'");
    return status.reduce((n, r) => n + Number(r.Value), 0);
  } finally {
    conn.release();
  }
}

describe('loading notification rows', () => {
  it("reads a bounded number of rows per row loaded, not the whole table, and finds the recipient's oldest open row", async () => {
    const late = ids.slice(-4); // pending rows whose recipients have older pending rows
    let loaded = new Map<number, { earlier_open: number | null }>();
    const read = await rowsRead(async (conn) => (loaded = await loadNotifications(conn as unknown as Db, late)));
    // 4 rows of recipients with 6 rows each: a few dozen index entries, never the 3,000-row table
    expect(read).toBeLessThan(200);
    for (const id of late) {
      const i = ids.indexOf(id);
      // the same recipient's rows are every RECIPIENTS-th; the oldest still pending is in the second half
      const oldestOpen = ids.find((other, j) => j >= ROWS / 2 && j % RECIPIENTS === i % RECIPIENTS);
      expect(loaded.get(id)?.earlier_open).toBe(oldestOpen === id ? null : oldestOpen);
    }
  });

  it('answers "which earlier row does it wait for" the same way, as cheaply, and null when none', async () => {
    const id = ids.at(-1)!;
    let earlier: number | null = -1;
    const read = await rowsRead(async (conn) => (earlier = await earlierOpenFor(conn as unknown as Db, id)));
    expect(read).toBeLessThan(100);
    expect(earlier).toBe(ids[ROWS / 2 + ((ROWS - 1) % RECIPIENTS)]);
    // the oldest open row of its recipient waits for nobody
    await expect(earlierOpenFor(db, ids[ROWS / 2]!)).resolves.toBeNull();
  });

  /**
   * A regular customer's settled rows stay in the table (maintenance deletes them after days). Asked as
   * \`e.status IN ('pending', 'processing')\`, the correlated lookup used only the index's recipient_psid and
   * read every row the customer ever had, on every load and claim: 1,500 settled rows read per row sent.
   */
  it("reads only the recipient's open rows, however long its history of settled ones", async () => {
    const HISTORY = 1500;
    const psid = 'plan-regular';
    await db.query('INSERT INTO users (name, phone, psid, last_message_at) VALUES (?, ?, ?, NOW())', ['Regular', '09123456789', psid]);
    await db.query('INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload, status, message_id) VALUES ?', [
      Array.from({ length: HISTORY }, (_, i) => [null, 'customer', psid, 'order_confirmed', '{}', i % 2 ? 'completed' : 'failed', i % 2 ? `m_${i}` : null]),
    ]);
    const [res] = await db.query<ResultSetHeader>(
      "INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload) VALUES (NULL, 'customer', ?, 'order_confirmed', '{}'), (NULL, 'customer', ?, 'order_shipped', '{}')",
      [psid, psid],
    );
    const [first, second] = [res.insertId, res.insertId + 1];

    let loaded = new Map<number, { earlier_open: number | null }>();
    expect(await rowsRead(async (conn) => (loaded = await loadNotifications(conn as unknown as Db, [first, second])))).toBeLessThan(50);
    expect(loaded.get(first)?.earlier_open).toBeNull();
    expect(loaded.get(second)?.earlier_open).toBe(first);
    expect(await rowsRead((conn) => earlierOpenFor(conn as unknown as Db, second))).toBeLessThan(50);

    // the batched load-and-claim: the first row is claimed, the second waits for it
    let claimed: Array<{ claimed?: boolean; earlier_open: number | null } | null> = [];
    const read = await rowsRead(async (conn) => {
      const batches = createNotificationBatches(conn as unknown as Db);
      claimed = await Promise.all([batches.loadAndClaim(first), batches.loadAndClaim(second)]);
    });
    expect(read).toBeLessThan(100);
    expect(claimed.map((r) => [r?.claimed, r?.earlier_open])).toEqual([
      [true, null],
      [false, first],
    ]);
  });

  /**
   * Statistics gone stale after a burst of rows (seen in a bench's scratch table: a (recipient, status) lookup
   * estimated at 18,000 rows) made MariaDB plan the claim's "earlier row being sent" lookup on
   * idx_nq_status_created, and read every row in flight shop-wide for each row it claimed: 6-19 ms a statement.
   * Here the statistics stay those of the empty table (automatic recalculation off), as a new shop's table has
   * until InnoDB's background recalculation catches up with a burst.
   */
  it("claims rows by their own recipients' open rows even when the statistics favour the status index", async () => {
    const own = await privateDatabase();
    const stale = createPool({ url: own.url, timeZone: 'UTC', connectionLimit: 1 });
    try {
      await stale.query('ALTER TABLE notification_queue STATS_AUTO_RECALC = 0');
      await stale.query('ANALYZE TABLE notification_queue');
      const insert = (rows: unknown[][]) =>
        stale.query<ResultSetHeader>('INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload, status, sending_started_at) VALUES ?', [rows]);
      await insert(Array.from({ length: 3000 }, (_, i) => [i + 1, 'admin', 'plan-admin', 'new_order_admin', '{}', 'completed', null]));
      await insert(Array.from({ length: 300 }, (_, i) => [null, 'customer', `plan-busy-${i}`, 'order_confirmed', '{}', 'processing', new Date()]));
      await insert(Array.from({ length: 300 }, (_, i) => [null, 'customer', `plan-wait-${i}`, 'order_confirmed', '{}', 'pending', null]));
      const [res] = await insert(Array.from({ length: 3 }, (_, i) => [null, 'customer', `plan-new-${i}`, 'order_received', '{}', 'pending', null]));
      const conn = await stale.getConnection();
      try {
        await conn.query('FLUSH STATUS');
        const batches = createNotificationBatches(conn as unknown as Db);
        const rows = await Promise.all([0, 1, 2].map((i) => batches.loadAndClaim(res.insertId + i)));
        const [status] = await conn.query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Handler_read%'");
        expect(rows.map((r) => r?.claimed)).toEqual([true, true, true]);
        // three rows' own index entries, not the 600 open rows of the shop read for each
        expect(status.reduce((n, r) => n + Number(r.Value), 0)).toBeLessThan(100);
      } finally {
        conn.release();
      }
    } finally {
      await stale.end();
      await own.drop();
    }
  });
});
