import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Logger } from 'pino';
import type { Conn, Db } from '../../db/pool.js';
import { parseIds, runTx } from '../tx.js';
import { emptyPromoted, promoteWaitlist, tryHold as tryHoldRule } from './live-waitlist.js';
import { SqlBatch } from '../../db/sql-batch.js';
import { toCentavos, toDecimal } from '../money.js';
import { parseComment, type ParsedComment } from './claim-parser.js';
import { readTally } from './live-tally.js';
import * as sql from './live-sql.js';
import type { CommentOutcome, FeedComment, HoldDue, HoldScheduler, LiveSaleSummary, ReplyLine } from './live-types.js';

/**
 * Comments → claims → holds, and holds → expiry → the next buyer on the waitlist. Each comment is one
 * transaction: the comment row (unique comment_id: a redelivery changes nothing), a claim per code, a
 * hold through sp_hold_inventory (the engine's sp_reserve_inventory; SIGNAL = sold out → waitlist),
 * and exactly one private-reply row in the notifications outbox. Comments of one post arrive here one
 * at a time in arrival order (the bot's per-key inbox), so "first come" is the order Facebook sent them.
 */
export interface LiveClaimsDeps {
  db: Db;
  /** the multi-statement pool: a comment's transaction is sent as batches (SqlBatch); everything else runs on db */
  batchDb: Db;
  logger: Logger;
  holdMinutes: number;
  claimWords: string[];
  tallyEverySeconds: number;
  /** after commit; broadcastIds: the admins' broadcast rows (OutboxRows.broadcastIds) */
  publish(notificationIds: number[], broadcastIds?: number[]): Promise<void>;
  holds: HoldScheduler;
}

type CodeRow = { code_id: number; code: string; product_id: number; limit_per_buyer: number | null; name: string; price: string; available: number };

const LIVE_REPLY = 'live_reply';

export function createLiveClaims(deps: LiveClaimsDeps) {
  const { db } = deps;

  async function queue(conn: Conn, recipient: 'customer' | 'admin', psid: string | null, type: string, payload: object): Promise<number> {
    const [res] = await conn.query<ResultSetHeader>(sql.INSERT_NOTIFICATION, [recipient, psid, type, JSON.stringify(payload)]);
    return res.insertId;
  }

  const tryHold = (conn: Conn, claimId: number, productId: number, quantity: number, held: HoldDue[]) =>
    tryHoldRule(conn, claimId, productId, quantity, deps.holdMinutes, held);

  /** `ahead`: claims already waiting for this code; `mine`: units this buyer already has or waits for */
  async function claimLine(conn: Conn, c: FeedComment, saleId: number, code: CodeRow, quantity: number, counts: { ahead: number; mine: number }, held: HoldDue[]): Promise<ReplyLine> {
    const line = { code: code.code, name: code.name, price: code.price, quantity };
    if (code.limit_per_buyer !== null && counts.mine + quantity > code.limit_per_buyer) return { ...line, outcome: 'limit', limit: code.limit_per_buyer };
    const { ahead } = counts;
    const [res] = await conn.query<ResultSetHeader>(sql.INSERT_CLAIM, [saleId, code.code_id, code.product_id, c.comment_id, c.from_id, quantity, null]);
    // nobody waiting: first come, first served; else the newcomer queues behind them
    const claimId = res.insertId;
    if (ahead === 0 && (await tryHold(conn, claimId, code.product_id, quantity, held))) return { ...line, outcome: 'held', claimId };
    return { ...line, outcome: 'waitlisted', position: ahead + 1, claimId };
  }

  function replyPayload(c: FeedComment, parsed: ParsedComment, allLines: ReplyLine[], codes: CodeRow[], firstClaim: number | null) {
    const lines = allLines.map(({ claimId: _id, ...l }) => l);
    const asked = parsed.kind === 'price_question' || parsed.kind === 'unclear' ? parsed.codes : [];
    const info = codes.filter((k) => asked.includes(k.code)).map((k) => ({ code: k.code, name: k.name, price: k.price, available: k.available }));
    return {
      comment_id: c.comment_id,
      kind: parsed.kind,
      lines,
      codes: info,
      unknown_codes: parsed.kind === 'unclear' ? parsed.unknownCodes : [],
      example_code: codes[0]?.code ?? 'M1',
      hold_minutes: deps.holdMinutes,
      claim_id: firstClaim,
    };
  }

  /** The running tally for the admins (its turn taken at most once per tallyEverySeconds per sale). */
  async function tally(conn: Conn, saleId: number, postId: string): Promise<number> {
    return queue(conn, 'admin', null, 'live_tally', { sale_id: saleId, post_id: postId, codes: await readTally(conn, saleId) });
  }

  async function handleComment(c: FeedComment): Promise<CommentOutcome> {
    // one round trip: the post's live sale and its codes
    const [codeRows] = await db.query<RowDataPacket[]>(sql.SELECT_LIVE_SALE_CODES, [c.post_id]);
    const sale = codeRows[0];
    if (!sale) return { handled: false, reason: 'no_live_sale' };
    const saleId = Number(sale.sale_id);
    const codes: CodeRow[] = codeRows.map((r) => ({
      code_id: Number(r.code_id),
      code: String(r.code),
      product_id: Number(r.product_id),
      limit_per_buyer: r.limit_per_buyer === null ? null : Number(r.limit_per_buyer),
      name: String(r.name),
      price: toDecimal(toCentavos(String(r.price)) ?? 0),
      available: Number(r.available),
    }));
    const parsed = parseComment(c.message, { codes: codes.map((k) => k.code), claimWords: deps.claimWords });
    const held: HoldDue[] = [];
    const items = parsed.kind === 'claim' ? parsed.items.map((it) => ({ ...it, row: codes.find((k) => k.code === it.code)! })) : [];
    // round trips: the reads and the comment row in one batch, then per code the claim and its hold, then
    // the reply, the comment's link to it and the tally turn in one batch, then COMMIT
    const out = await runTx(
      deps.batchDb,
      async (conn) => {
        const first = new SqlBatch(conn);
        first.add('START TRANSACTION');
        first.add(sql.INSERT_COMMENT, [c.comment_id, saleId, c.from_id, c.from_name, c.message.slice(0, 8000), parsed.kind]);
        const freshAt = first.select('SELECT ROW_COUNT() AS n');
        if (items.length) first.add('SET @qs_low_stock_ids = NULL');
        const countsAt = items.map((it) => [first.select(sql.SELECT_WAITING, [it.row.code_id]), first.select(sql.SELECT_BUYER_UNITS, [c.from_id, it.row.code_id])] as const);
        const sets = await first.run();
        if (Number(sets[freshAt]![0]!.n) === 0) {
          await conn.query('COMMIT'); // seen before: its claims and reply exist already
          return null;
        }
        const lines: ReplyLine[] = [];
        let firstClaim: number | null = null;
        for (const [i, it] of items.entries()) {
          const [w, m] = countsAt[i]!;
          const line = await claimLine(conn, c, saleId, it.row, it.quantity, { ahead: Number(sets[w]![0]!.n), mine: Number(sets[m]![0]!.n) }, held);
          firstClaim ??= line.claimId ?? null;
          lines.push(line);
        }
        const last = new SqlBatch(conn);
        if (parsed.kind !== 'none') {
          last.add(sql.INSERT_NOTIFICATION, ['customer', null, LIVE_REPLY, JSON.stringify(replyPayload(c, parsed, lines, codes, firstClaim))]);
          last.add('SET @qs_reply_id = LAST_INSERT_ID()');
          last.add(sql.SET_COMMENT_REPLY_LAST, [c.comment_id]);
        }
        if (items.length) last.add(sql.TAKE_TALLY_TURN, [saleId, deps.tallyEverySeconds]);
        const idsAt = last.select(`SELECT ${items.length ? 'ROW_COUNT()' : '0'} AS tally_turn, @qs_reply_id AS reply_id, CAST(@qs_low_stock_ids AS CHAR) AS low_stock_ids`);
        last.add('SET @qs_reply_id = NULL');
        const [row] = (await last.run())[idsAt]!;
        const replyId = parsed.kind !== 'none' ? Number(row!.reply_id) : null;
        const ids = replyId ? [replyId] : [];
        const broadcasts: number[] = [];
        if (Number(row!.tally_turn) > 0) broadcasts.push(await tally(conn, saleId, String(sale.post_id)));
        if (held.length) broadcasts.push(...parseIds(row!.low_stock_ids));
        await conn.query('COMMIT');
        return { ids, broadcasts, replyId, lines };
      },
      { batched: true },
    );
    if (!out) return { handled: false, reason: 'duplicate' };
    await deps.publish(out.ids, out.broadcasts);
    if (held.length) await deps.holds.schedule(held);
    const count = (o: ReplyLine['outcome']) => out.lines.filter((l) => l.outcome === o).length;
    return { handled: true, kind: parsed.kind, held: count('held'), waitlisted: count('waitlisted'), replyId: out.replyId };
  }

  async function expireHold(claimId: number): Promise<'expired' | 'not_due' | 'not_held'> {
    const promoted = emptyPromoted();
    const outcome = await runTx(db, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(sql.SELECT_CLAIM_FOR_UPDATE, [claimId]);
      const claim = rows[0];
      if (!claim || claim.status !== 'held') return 'not_held' as const;
      if (!Number(claim.due)) return 'not_due' as const;
      await conn.query(sql.CALL_RELEASE_HOLD, [claim.reservation_id, 'expired', 'live-sale hold expired']);
      await conn.query(sql.SET_CLAIM_STATUS, ['expired', claimId]);
      await promoteWaitlist(conn, Number(claim.code_id), deps.holdMinutes, promoted);
      return 'expired' as const;
    });
    await deps.publish(promoted.notify);
    if (promoted.held.length) await deps.holds.schedule(promoted.held);
    return outcome;
  }

  async function summarize(saleId: number): Promise<{ summary: LiveSaleSummary; notificationId: number }> {
    return runTx(db, async (conn) => {
      const [[sale]] = (await conn.query<RowDataPacket[]>(sql.SELECT_SALE, [saleId])) as unknown as [RowDataPacket[]];
      const [[counts]] = (await conn.query<RowDataPacket[]>(sql.SELECT_COMMENT_COUNTS, [saleId])) as unknown as [RowDataPacket[]];
      const summary: LiveSaleSummary = {
        sale_id: saleId,
        post_id: String(sale!.post_id),
        comments: Number(counts?.comments ?? 0),
        claims: Number(counts?.claims ?? 0),
        codes: await readTally(conn, saleId),
      };
      return { summary, notificationId: await queue(conn, 'admin', null, 'live_summary', summary) };
    });
  }

  return { handleComment, expireHold, summarize };
}
