import { createHash } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Db } from '../db/pool.js';

/**
 * Which replies a turn sent, so that a turn run again (after a crash, an outage that cut it short, or a
 * lease lost while it ran) never sends one twice. A reply is keyed by the inbound event it answers, its
 * place in the turn (part index) and a hash of its content: the re-run takes the same path and skips what
 * went out, while a reply that changed meanwhile (e.g. stock moved) is sent.
 *
 * In MySQL (table chat_replies, migration 072), not Redis: a Redis master restarted or failed over can come
 * back without its latest writes, and a mark written to an unreachable Redis after a send was lost, so the
 * re-run sent the reply again (`npm run chaos`). The windows:
 *  - `claim` writes the key (state 'sending', owner = the run's lease token) BEFORE the send; only one run
 *    can own it. A run that dies between the claim and the request leaving loses that reply (milliseconds);
 *    one that dies after it leaves is the common case, and the re-run does not send it again.
 *  - `sent` marks it after Graph answered (or the answer was lost: delivery unknown, never sent again).
 *  - Graph answered "not done" (or the call never left): `release` deletes the claim, a re-run sends it.
 *  - A claim by another run still 'sending': that run may be alive (its lease lapsed mid-send) and about to
 *    get Graph's answer; the re-run waits up to `inDoubtAfterMs` from the claim, then skips it (may have been
 *    delivered). A claim by this same run (an earlier attempt of the drain, e.g. cut short by an outage) is
 *    over: skipped at once.
 */
export interface ReplyLedger {
  key(inboundId: string, part: number | string, content: unknown): string;
  /** 'send': this run owns the send; 'skip': it went out (or may have) in another run or attempt */
  claim(key: string, owner: string): Promise<'send' | 'skip'>;
  sent(key: string, owner: string): Promise<void>;
  release(key: string, owner: string): Promise<void>;
}

const CLAIM = 'INSERT IGNORE INTO chat_replies (reply_key, owner) VALUES (?, ?)';
const LOOK = `SELECT owner, state, TIMESTAMPDIFF(MICROSECOND, started_at, NOW(3)) DIV 1000 AS age_ms FROM chat_replies WHERE reply_key = ?`;
const POLL_MS = 200;

export function createReplyLedger(db: Db, opts: { inDoubtAfterMs: number; sleep?: (ms: number) => Promise<void> }): ReplyLedger {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    key(inboundId, part, content) {
      const digest = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
      return createHash('sha256').update(`${inboundId}\u0000${part}\u0000${digest}`).digest('hex');
    },
    async claim(key, owner) {
      for (;;) {
        const [res] = await db.query<ResultSetHeader>(CLAIM, [key, owner]);
        if (res.affectedRows === 1) return 'send';
        const [rows] = await db.query<RowDataPacket[]>(LOOK, [key]);
        const r = rows[0];
        if (!r) continue; // released meanwhile: claim it again
        if (r.state === 'sent' || r.owner === owner) return 'skip';
        const age = Number(r.age_ms);
        if (age >= opts.inDoubtAfterMs) return 'skip';
        await sleep(Math.min(POLL_MS, opts.inDoubtAfterMs - age));
      }
    },
    async sent(key, owner) {
      await db.query("UPDATE chat_replies SET state = 'sent' WHERE reply_key = ? AND owner = ?", [key, owner]);
    },
    async release(key, owner) {
      await db.query("DELETE FROM chat_replies WHERE reply_key = ? AND owner = ? AND state = 'sending'", [key, owner]);
    },
  };
}
