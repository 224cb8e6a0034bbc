import { randomUUID } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchPool, createPool, type Db } from '../../../src/db/pool.js';
import { createNotificationBatches } from '../../../src/jobs/notification-batches.js';
import { testConfig } from '../../helpers/test-config.js';

let db: Db;
let batchDb: Db;
beforeAll(() => {
  const config = testConfig();
  db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 4 });
  batchDb = createBatchPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 2 });
});
afterAll(async () => {
  await db.end();
  await batchDb.end();
});

async function row(psid: string | null, extra: { status?: string; inFlight?: boolean; messageId?: string } = {}): Promise<number> {
  const [res] = await db.query<ResultSetHeader>(
    `INSERT INTO notification_queue (recipient_type, recipient_psid, notification_type, payload, status, message_id, sending_started_at)
     VALUES ('customer', ?, 'order_confirmed', '{}', ?, ?, IF(?, NOW(3), NULL))`,
    [psid, extra.status ?? 'pending', extra.messageId ?? null, extra.inFlight ? 1 : 0],
  );
  return res.insertId;
}

const state = async (ids: number[]) => {
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT id, status, attempts, sending_started_at IS NOT NULL AS held FROM notification_queue WHERE id IN (?) ORDER BY id',
    [ids],
  );
  return rows.map((r) => ({ status: r.status as string, attempts: Number(r.attempts), held: Number(r.held) === 1 }));
};

describe.each([
  ['one round trip (batch pool)', () => createNotificationBatches(db, batchDb)],
  ['two statements', () => createNotificationBatches(db)],
])('notification rows loaded and claimed together: %s', (_name, make) => {
  it('claims each row that can go out now, once, and leaves the others as they are', async () => {
    const a = `batch-a-${randomUUID().slice(0, 8)}`;
    const b = `batch-b-${randomUUID().slice(0, 8)}`;
    const free = await row(a); // goes out now
    const behind = await row(a); // waits for `free` (same customer, earlier row open)
    const inFlight = await row(b, { status: 'processing', inFlight: true }); // another attempt is sending it
    const sent = await row(b, { status: 'completed', messageId: 'm_1' });
    const broadcast = await row(null); // admin broadcast: fanned out, never sent itself
    const batches = make();
    const loaded = await Promise.all([free, free, behind, inFlight, sent, broadcast, 999_999_999].map((id) => batches.loadAndClaim(id)));
    // a row asked for twice in one batch (a stalled job's re-run beside it) is owned by one caller only
    expect(loaded.map((r) => r?.claimed ?? null)).toEqual([true, false, false, false, false, false, null]);
    expect(loaded[2]!.earlier_open).toBe(free);
    expect(await state([free, behind, inFlight])).toEqual([
      { status: 'processing', attempts: 1, held: true },
      { status: 'pending', attempts: 0, held: false },
      { status: 'processing', attempts: 0, held: true },
    ]);
  });
});
