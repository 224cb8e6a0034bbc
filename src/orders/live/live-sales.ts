import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { Db } from '../../db/pool.js';
import type { ReadRows } from '../../db/read-rows.js';
import { runTx, isDuplicateKey } from '../tx.js';
import type { OutboxPublisher } from '../types.js';
import { claimWordsFrom } from './claim-parser.js';
import { createLiveClaims } from './live-claims.js';
import { createLiveCart } from './live-cart.js';
import * as sql from './live-sql.js';
import { readTally } from './live-tally.js';
import { LATEST_LIVE, type CartedHold, type CommentOutcome, type FeedComment, type HoldScheduler, type LiveFailure, type LiveSale, type LiveSaleSummary, type LiveVideoFinder } from './live-types.js';

/**
 * Live sales: a post's item codes → products; comments → claims → holds (see live-claims.ts). The
 * inventory rule stays in the database procedures (migration 060 builds holds on sp_reserve_inventory).
 * Imports no transport: the REST API, the bot and the workers call the same functions.
 */
export interface LiveSalesDeps {
  db: Db;
  /** the multi-statement pool (createBatchPool): only a comment's batched transaction runs on it */
  batchDb: Db;
  config: Pick<Config, 'LIVE_HOLD_MINUTES' | 'LIVE_CLAIM_WORDS' | 'LIVE_TALLY_INTERVAL_SECONDS' | 'MAX_ITEM_QUANTITY'>;
  logger: Logger;
  outbox: OutboxPublisher;
  /** late-bound by the composition root: the jobs module adds a delayed expiry job per hold */
  holds: HoldScheduler;
  /** `post_id: "latest_live"` asks Graph for the Page's live video now */
  liveVideos: LiveVideoFinder;
  /** how hasClaimsToAttach (asked at the start of every chat turn) reads; default alone (db/read-rows.ts) */
  read?: ReadRows;
}

export const liveSaleInput = z.strictObject({
  post_id: z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be a Facebook post or video id such as 1234567890_987654321'),
  items: z
    .array(
      z.strictObject({
        code: z.string().trim().regex(/^[A-Za-z0-9-]{1,20}$/, 'must be 1-20 letters, digits or dashes, e.g. M1'),
        product_id: z.number().int().positive(),
        limit_per_buyer: z.number().int().min(1).max(1000).optional(),
      }),
    )
    .min(1, 'must list at least one code')
    .max(100, 'can list at most 100 codes'),
});
export type LiveSaleInput = z.infer<typeof liveSaleInput>;

export type CreateSaleResult = { success: true; id: number; status: 'live'; post_id: string } | LiveFailure;
export type StopSaleResult = { success: true; summary: LiveSaleSummary } | LiveFailure;

export interface LiveSales {
  createSale(input: unknown, actor: string): Promise<CreateSaleResult>;
  stopSale(id: number, actor: string): Promise<StopSaleResult>;
  getSale(id: number): Promise<LiveSale | null>;
  /** the sale live on a post now, with its tally (null: none) */
  findLiveSale(postId: string): Promise<LiveSale | null>;
  /** a Page-feed comment: claim, hint or nothing; exactly one private reply queued for it at most */
  handleComment(comment: FeedComment): Promise<CommentOutcome>;
  /**
   * Before each turn, without a lock: does the buyer have a claim to tie to their PSID, a held claim not
   * in their cart yet, or one this event's turn carted (a re-run)? Only then does attachHolds (a locking
   * transaction) need to run.
   */
  hasClaimsToAttach(psid: string, eventId: string): Promise<boolean>;
  /**
   * the buyer wrote to the Page (inbound event `eventId`): their held claims go into their cart
   * (idempotent; the same event asking again gets the claims it carted)
   */
  attachHolds(psid: string, userId: number, eventId: string): Promise<CartedHold[]>;
  /** a hold's time is up (delayed job): release it and promote the waitlist */
  expireHold(claimId: number): Promise<'expired' | 'not_due' | 'not_held'>;
  /** safety net for lost delayed jobs */
  sweepDueHolds(limit: number): Promise<number>;
  /** a comment that could not be handled (a bug, or an outage past the deadline) is kept, never lost */
  deadLetter(comment: FeedComment, why: { reason: 'error' | 'outage'; error: string; failingSince?: Date }): Promise<void>;
  /** dead-lettered comments not handled yet (operators: /metrics, /readyz) */
  deadLetterCount(): Promise<number>;
}

const fail = (code: LiveFailure['code'], error: string, validation_errors?: LiveFailure['validation_errors']): LiveFailure => ({
  success: false,
  code,
  error,
  ...(validation_errors ? { validation_errors } : {}),
});

export function createLiveSales(deps: LiveSalesDeps): LiveSales {
  const { db, logger } = deps;
  const publish = (notificationIds: number[], broadcastIds: number[] = []) =>
    notificationIds.length || broadcastIds.length
      ? deps.outbox.publish({ notificationIds, broadcastIds, processingIds: [] }).catch((err: Error) => logger.warn({ err: err.message }, 'live: outbox publish failed; the relay will catch up'))
      : Promise.resolve();
  const claims = createLiveClaims({
    db,
    batchDb: deps.batchDb,
    logger,
    holdMinutes: deps.config.LIVE_HOLD_MINUTES,
    claimWords: claimWordsFrom(deps.config.LIVE_CLAIM_WORDS),
    tallyEverySeconds: deps.config.LIVE_TALLY_INTERVAL_SECONDS,
    publish,
    holds: deps.holds,
  });
  const cart = createLiveCart(db, deps.read);

  return {
    async createSale(raw, actor) {
      const parsed = liveSaleInput.safeParse(raw);
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message, code: 'INVALID_FORMAT' as const }));
        return fail('VALIDATION_FAILED', `Invalid ${errors[0]!.field}: ${errors[0]!.message}`, errors);
      }
      const input = parsed.data;
      if (input.post_id.toLowerCase() === LATEST_LIVE) {
        const live = await deps.liveVideos.latest();
        if (!live.found) {
          return live.error
            ? fail('LIVE_VIDEO_LOOKUP_FAILED', `Could not ask Facebook for the Page's live video: ${live.error}`)
            : fail('NO_LIVE_VIDEO', 'The Page has no live video broadcasting now: go live first, or give the post or video id');
        }
        input.post_id = live.post_id;
      }
      const seen = new Map<string, number>();
      for (const [i, item] of input.items.entries()) {
        const key = item.code.toLowerCase();
        if (seen.has(key)) {
          const message = `code ${item.code} is listed twice (codes are case-insensitive)`;
          return fail('VALIDATION_FAILED', message, [{ field: `items.${i}.code`, message, code: 'INVALID_FORMAT' }]);
        }
        seen.set(key, i);
      }
      const ids = [...new Set(input.items.map((i) => i.product_id))];
      const [found] = await db.query<RowDataPacket[]>(sql.SELECT_PRODUCT_IDS, [ids]);
      const known = new Set(found.map((r) => Number(r.id)));
      const missing = input.items.findIndex((i) => !known.has(i.product_id));
      if (missing >= 0) {
        const message = `Product ${input.items[missing]!.product_id} does not exist`;
        return fail('PRODUCT_NOT_FOUND', message, [{ field: `items.${missing}.product_id`, message, code: 'PRODUCT_NOT_FOUND' }]);
      }
      try {
        const id = await runTx(db, async (conn) => {
          const [res] = await conn.query<ResultSetHeader>(sql.INSERT_SALE, [input.post_id, actor.slice(0, 100)]);
          const rows = input.items.map((i) => [res.insertId, i.code, i.product_id, i.limit_per_buyer ?? null]);
          await conn.query(sql.INSERT_CODES, [rows]);
          return res.insertId;
        });
        return { success: true, id, status: 'live', post_id: input.post_id };
      } catch (err) {
        if (isDuplicateKey(err, 'uq_live_sales_live_post')) {
          return fail('SALE_ALREADY_LIVE', `Post ${input.post_id} already has a live sale; stop it first`);
        }
        throw err;
      }
    },

    async stopSale(id, actor) {
      const [res] = await db.query<ResultSetHeader>(sql.STOP_SALE, [id]);
      if (res.affectedRows === 0) {
        const [rows] = await db.query<RowDataPacket[]>(sql.SELECT_SALE, [id]);
        return rows[0] ? fail('SALE_NOT_LIVE', `Live sale ${id} was already stopped`) : fail('SALE_NOT_FOUND', `No live sale ${id}`);
      }
      logger.info({ saleId: id, actor }, 'live sale stopped');
      const { summary, notificationId } = await claims.summarize(id);
      await publish([], [notificationId]);
      return { success: true, summary };
    },

    async getSale(id) {
      const [rows] = await db.query<RowDataPacket[]>(sql.SELECT_SALE, [id]);
      const r = rows[0];
      if (!r) return null;
      return {
        id: Number(r.id),
        post_id: String(r.post_id),
        status: r.status as LiveSale['status'],
        created_by: String(r.created_by),
        created_at: new Date(r.created_at as Date).toISOString(),
        stopped_at: r.stopped_at ? new Date(r.stopped_at as Date).toISOString() : null,
        codes: await readTally(db, id),
      };
    },

    async findLiveSale(postId) {
      const [rows] = await db.query<RowDataPacket[]>(sql.SELECT_LIVE_SALE_ID, [postId]);
      return rows[0] ? this.getSale(Number(rows[0].id)) : null;
    },

    handleComment: (comment) => claims.handleComment(comment),
    expireHold: (claimId) => claims.expireHold(claimId),
    async sweepDueHolds(limit) {
      const [rows] = await db.query<RowDataPacket[]>(sql.SELECT_DUE_HOLDS, [limit]);
      let n = 0;
      for (const r of rows) if ((await claims.expireHold(Number(r.id))) === 'expired') n++;
      return n;
    },
    hasClaimsToAttach: (psid, eventId) => cart.hasClaimsToAttach(psid, eventId),
    attachHolds: (psid, userId, eventId) => cart.attachHolds(psid, userId, eventId),

    async deadLetter(comment, why) {
      const values = [comment.comment_id, comment.post_id, JSON.stringify(comment), why.reason, why.error.slice(0, 500), why.failingSince ?? null];
      await db.query(sql.INSERT_DEAD_LETTER, values);
      logger.error({ commentId: comment.comment_id, postId: comment.post_id, reason: why.reason }, 'live comment dead-lettered (live_comment_dead_letters)');
    },
    async deadLetterCount() {
      const [rows] = await db.query<RowDataPacket[]>(sql.COUNT_OPEN_DEAD_LETTERS);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
