import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Db } from '../../../src/db/pool.js';
import { createPartRecorder } from '../../../src/jobs/part-recorder.js';
import { testConfig } from '../../helpers/test-config.js';

let db: Db;
beforeAll(() => {
  const config = testConfig();
  db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 4 });
});
afterAll(() => db.end());

async function row(partsSent: number, messageIds: string | null): Promise<number> {
  const [res] = await db.query<ResultSetHeader>(
    `INSERT INTO notification_queue (recipient_type, recipient_psid, notification_type, payload, status, parts_sent, message_ids, sending_started_at)
     VALUES ('customer', 'psid-recorder', 'order_confirmed', '{}', 'processing', ?, ?, NOW(3))`,
    [partsSent, messageIds],
  );
  return res.insertId;
}

describe('message ids recorded for many sends at once', () => {
  it('writes each row as its own send would: first parts, last parts, and a stale part left alone', async () => {
    const first = await row(0, null); // part 0 of a two-part message
    const lastOfTwo = await row(1, 'm_a'); // part 1, the last
    const single = await row(0, null); // a one-part message
    const stale = await row(1, 'm_b'); // already past part 0: a repeat record of part 0 must change nothing
    const recorder = createPartRecorder(db);
    await Promise.all([
      recorder.record(first, 0, 'm_1', false),
      recorder.record(lastOfTwo, 1, 'm_2', true),
      recorder.record(single, 0, 'm_3', true),
      recorder.record(stale, 0, 'm_4', true),
    ]);
    const [rows] = await db.query<RowDataPacket[]>(
      `SELECT id, status, parts_sent, message_ids, message_id, sending_started_at IS NULL AS cleared, sent_at IS NOT NULL AS sent
       FROM notification_queue WHERE id IN (?) ORDER BY id`,
      [[first, lastOfTwo, single, stale]],
    );
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { id: first, status: 'processing', parts_sent: 1, message_ids: 'm_1', message_id: null, cleared: 1, sent: 0 },
      { id: lastOfTwo, status: 'completed', parts_sent: 2, message_ids: 'm_a m_2', message_id: 'm_2', cleared: 1, sent: 1 },
      { id: single, status: 'completed', parts_sent: 1, message_ids: 'm_3', message_id: 'm_3', cleared: 1, sent: 1 },
      { id: stale, status: 'processing', parts_sent: 1, message_ids: 'm_b', message_id: null, cleared: 0, sent: 0 },
    ]);
  });
});
