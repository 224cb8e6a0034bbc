import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { HoldScheduler } from './live/live-types.js';
import type { ServerTraits } from '../db/server-traits.js';
import type { ReadGroup } from './group-reads.js';
import type { orderInputSchema } from './schemas.js';
import type { OutboxPublisher, OutboxRows } from './types.js';

/** What every engine module receives (built once by the service from OrderServiceDeps). */
export interface EngineContext {
  db: Db;
  /** multi-statement pool: createOrder's SqlBatch reads and transaction, nothing else */
  batchDb: Db;
  config: Config;
  logger: Logger;
  outbox: OutboxPublisher;
  observer?: { orderCreated(durationMs: number): void; orderFailed(code: string): void };
  clock: () => Date;
  /** test seam between writes; a throw must roll the whole transaction back */
  fault: (step: string) => Promise<void>;
  /** built once from config: building a zod schema per call costs more than validating with it */
  orderSchema: ReturnType<typeof orderInputSchema>;
  /** the next order number candidate (see order-number.ts) */
  nextOrderNumber: () => string;
  /** the checks' reads, coalesced with other orders' into one round trip (group-reads.ts) */
  readGroup: ReadGroup;
  /** asked once, on first use */
  serverTraits: () => Promise<ServerTraits>;
  /** expiry jobs for live-sale holds given to a waitlist when an order's units came back */
  liveHolds?: HoldScheduler;
}

/** How long a committed order waits for its outbox publish before answering anyway. */
export const PUBLISH_WAIT_MS = 1000;

/**
 * Publish committed outbox rows. A failure is logged, never surfaced, and a slow publish (Redis down and
 * the client retrying) stops holding the caller after PUBLISH_WAIT_MS: the order is committed either
 * way and the outbox relay publishes whatever did not get through.
 */
export async function publishAfterCommit(ctx: EngineContext, rows: OutboxRows): Promise<void> {
  if (rows.notificationIds.length === 0 && rows.processingIds.length === 0 && !rows.broadcastIds?.length) return;
  const publishing = ctx.outbox.publish(rows).then(
    () => true,
    (err: unknown) => {
      ctx.logger.warn({ err: (err as Error).message, rows }, 'outbox publish failed; the relay will publish these rows');
      return true;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), PUBLISH_WAIT_MS);
    timer.unref();
  });
  const done = await Promise.race([publishing, waited]);
  clearTimeout(timer);
  if (!done) ctx.logger.warn({ rows }, 'outbox publish is slow; answering now, the relay will catch up');
}

export interface ErrorRecord {
  operation: string;
  order_id?: number | null;
  user_id?: number | null;
  code: string;
  message: string;
  details?: object;
}

/** An order_errors row (and error_count + 1 on an existing order). Never throws: it runs on failure paths. */
export async function recordError(ctx: EngineContext, e: ErrorRecord): Promise<void> {
  try {
    await ctx.db.query(
      `INSERT INTO order_errors (order_id, user_id, operation, error_code, error_message, error_details) VALUES (?, ?, ?, ?, ?, ?)`,
      [e.order_id ?? null, e.user_id ?? null, e.operation, e.code.slice(0, 64), e.message, e.details ? JSON.stringify(e.details) : null],
    );
    if (e.order_id) await ctx.db.query('UPDATE orders SET error_count = error_count + 1 WHERE id = ?', [e.order_id]);
  } catch (err) {
    ctx.logger.error({ err: (err as Error).message, failure: e }, 'could not record order error');
  }
}

export function errorCodeOf(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown };
  return typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'INTERNAL_ERROR';
}
