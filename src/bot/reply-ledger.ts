import { createHash } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Db } from '../db/pool.js';
import { SqlBatch } from '../db/sql-batch.js';
import { createTickBatcher } from '../jobs/tick-batcher.js';
import { runTx } from '../orders/tx.js';

/**
 * Which replies a turn sent, so that a turn run again (after a crash, an outage that cut it short, or a
 * lease lost while it ran) never sends one twice and never sends a second version of one. In MySQL (table
 * chat_replies, migrations 072 and 076), not Redis: a Redis master restarted or failed over can come back
 * without its latest writes.
 *
 * Keys (see send-once.ts): a dialog reply is claimed by its place in the turn (inbound event id + part
 * index, content left out) and by its content (inbound event id + content + how often this run said it
 * before). The place: the customer saw the first run's reply there, and a re-run whose world changed
 * meanwhile (stock sold out between the two runs) must not answer the same event a second time with the
 * new text: the summary once, then "out of stock" for the same tap, which the customer then got again for
 * their "Place order" (`npm run chaos`). The content: a re-run whose path gained or lost a message says
 * nothing it said before at another place. A send around Botkit names its step and content in one key.
 *
 * The windows:
 *  - `claim` writes the keys (owner = the run's lease token) BEFORE the send; only one run can own either.
 *    A run that dies between the claim and the request leaving loses that reply (milliseconds); one that
 *    dies after it leaves is the common case, and the re-run does not send it again.
 *  - Graph answered "not done" (or the call never left): `release` deletes the claim, a re-run sends it.
 *  - Otherwise the claim stays: delivered, or maybe delivered (the answer was lost) — never sent again.
 *    No mark is written after the send (a commit per reply saved): a claim not released is a reply
 *    that went out. Rows of migration 072's time may say state 'sent', which means the same.
 *  - A claim by another run: that run may be alive (its lease lapsed mid-send) and about to get Graph's
 *    "not done" and release it; the re-run waits up to `inDoubtAfterMs` from the claim, then skips it (may
 *    have been delivered). A claim by this same run (an earlier attempt of the drain, e.g. cut short by an
 *    outage) is over: skipped at once.
 */
export interface ReplyLedger {
  key(inboundId: string, part: number | string, content: unknown): string;
  /**
   * 'send': this run owns the send; 'skip': it went out (or may have) in another run or attempt.
   * `contentKey`: a second key the reply must not share with an earlier claim (see above).
   */
  claim(key: string, owner: string, contentKey?: string | null): Promise<'send' | 'skip'>;
  release(key: string, owner: string): Promise<void>;
}

const CLAIM = 'INSERT IGNORE INTO chat_replies (reply_key, content_key, owner) VALUES (?, ?, ?)';
// the claims in the way: by place, or by content (content_key NULL never matches)
const LOOK = `SELECT owner, state, TIMESTAMPDIFF(MICROSECOND, started_at, NOW(3)) DIV 1000 AS age_ms FROM chat_replies WHERE reply_key = ? OR content_key = ?`;
const RELEASE = 'DELETE FROM chat_replies WHERE reply_key = ? AND owner = ?';
const POLL_MS = 200;

/**
 * The first claims of the turns running at once go in one transaction sent as one query (the multi-statement
 * pool `batchDb`): INSERT IGNORE and SELECT ROW_COUNT() per claim, one COMMIT (one log flush) for all of
 * them, instead of a round trip and a commit per reply. Each claim's own row count says whether it took the
 * key, exactly as alone; the claims are committed before any of their sends starts. A batch that fails
 * fails each of its claims (an outage: the turns are retried); a deadlock is retried whole (runTx).
 */
type ClaimValues = [key: string, contentKey: string | null, owner: string];

function claimBatcher(db: Db, batchDb: Db | undefined): (values: ClaimValues) => Promise<number> {
  const alone = async (values: ClaimValues) => (await db.query<ResultSetHeader>(CLAIM, values))[0].affectedRows;
  if (!batchDb) return alone;
  return createTickBatcher<ClaimValues, number>(async (claims) => {
    if (claims.length === 1) return [await alone(claims[0]!)];
    return runTx(
      batchDb,
      async (conn) => {
        const b = new SqlBatch(conn);
        b.add('START TRANSACTION');
        for (const values of claims) {
          b.add(CLAIM, values);
          b.select('SELECT ROW_COUNT() AS n');
        }
        b.add('COMMIT');
        return (await b.run()).map((rows) => Number(rows[0]!.n));
      },
      { batched: true },
    );
  });
}

export function createReplyLedger(db: Db, opts: { inDoubtAfterMs: number; sleep?: (ms: number) => Promise<void>; batchDb?: Db }): ReplyLedger {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const firstClaim = claimBatcher(db, opts.batchDb);
  return {
    key(inboundId, part, content) {
      const digest = createHash('sha256').update(JSON.stringify(content ?? null)).digest('hex').slice(0, 16);
      return createHash('sha256').update(`${inboundId}\u0000${part}\u0000${digest}`).digest('hex');
    },
    async claim(key, owner, contentKey = null) {
      for (let first = true; ; first = false) {
        const values: ClaimValues = [key, contentKey, owner];
        const inserted = first ? await firstClaim(values) : (await db.query<ResultSetHeader>(CLAIM, values))[0].affectedRows;
        if (inserted === 1) return 'send';
        const [rows] = await db.query<RowDataPacket[]>(LOOK, [key, contentKey]);
        if (!rows.length) continue; // released meanwhile: claim again
        if (rows.some((r) => r.owner === owner || r.state === 'sent')) return 'skip';
        const age = Math.max(...rows.map((r) => Number(r.age_ms)));
        if (age >= opts.inDoubtAfterMs) return 'skip';
        await sleep(Math.min(POLL_MS, opts.inDoubtAfterMs - age));
      }
    },
    async release(key, owner) {
      await db.query(RELEASE, [key, owner]);
    },
  };
}
