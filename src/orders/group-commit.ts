import type { Conn } from '../db/pool.js';
import { SqlBatch } from '../db/sql-batch.js';
import { createCoalescer } from '../db/coalesce.js';
import { addPlaceOrder, placedOrder, type OrderPlan, type WrittenOrder } from './create-order-batch.js';
import type { EngineContext } from './engine-context.js';
import * as q from './sql/create-order-sql.js';
import { runTx } from './tx.js';

/**
 * Group commit for createOrder: orders that reach their write while another group is being written
 * wait for it and then go together, as ONE transaction in ONE compound statement (one round trip, one
 * commit, one log flush; the hot product's row lock taken once per group, not per order).
 *
 * Each order is a CALL sp_place_order in grouped mode (migration 071): it sets a SAVEPOINT first, and an
 * order that fails (stock gone, promo used up, a repeated cart or key, an order-number clash, an injected
 * fault) is rolled back to it by the procedure's exit handler while the others commit. Such an order is
 * then written again on its own, through the one-order path (create-order.ts), which turns the failure
 * into the same result value or error as if it had never been grouped. A deadlock is not caught by the
 * procedure: the whole group is retried (runTx),
 * and after the last try every member is written on its own. An error without a server SQL state
 * (a connection lost: the commit's outcome unknown) is every member's error, as it would be alone.
 *
 * A single order, an order with a per-customer promo limit (it locks its customer first) and any order
 * on a server without compound statements (MySQL) take the one-order path straight away.
 */
export interface GroupCommit {
  /** the order written in a group, or null: write it on its own */
  write(plan: OrderPlan): Promise<WrittenOrder | null>;
}

interface Member {
  plan: OrderPlan;
  resolve(w: WrittenOrder | null): void;
  reject(err: unknown): void;
}

/** orders per group: enough to cover the pool's callers; a compound statement of 32 orders is ~70 kB */
const MAX_GROUP = 32;
/**
 * Groups written at once: one; the orders that reach their write meanwhile go together in the next. With
 * two, the second group waited inside MariaDB for the first one's lock on a hot product's row and both were
 * smaller. Measured on 2026-11-29 (bench:orders at 8 clients, three pairs interleaved with two): hot product
 * 0.63 / 0.66 / 0.69 -> 0.87 / 0.83 / 0.80 of the bare transaction, 1,000 products 0.42 / 0.41 / 0.47 ->
 * 0.45 / 0.50 / 0.50; at 1 and 32 clients and in bench:api no change beyond the noise. Over all of that day's
 * 8-client runs the hot product's median was 0.78 (nine runs) against 0.69 (seven).
 */
const MAX_IN_FLIGHT = 1;

export function createGroupCommit(ctx: EngineContext): GroupCommit {
  const join = createCoalescer<Member>({
    maxGroup: MAX_GROUP,
    maxInFlight: MAX_IN_FLIGHT,
    run: writeGroup,
    // alone: the one-order path, at once
    single: (m) => m.resolve(null),
  });

  async function writeGroup(members: Member[]): Promise<void> {
    let outcomes: Array<WrittenOrder | null>;
    try {
      outcomes = await runTx(ctx.batchDb, (conn) => runGroup(ctx, conn, members.map((m) => m.plan)), { batched: true });
    } catch (err) {
      // a server error stopped the statement before its COMMIT: nothing of the group was kept
      if ((err as { sqlState?: unknown }).sqlState) outcomes = members.map(() => null);
      else {
        for (const m of members) m.reject(err);
        return;
      }
    }
    members.forEach((m, i) => m.resolve(outcomes[i]!));
  }

  return {
    write(plan) {
      if (!plan.traits.compoundStatements || plan.order.promo?.per_user_limit != null) return Promise.resolve(null);
      return new Promise((resolve, reject) => join({ plan, resolve, reject }));
    },
  };
}

async function runGroup(ctx: EngineContext, conn: Conn, plans: OrderPlan[]): Promise<Array<WrittenOrder | null>> {
  const b = new SqlBatch(conn, { compound: true });
  b.add('START TRANSACTION');
  const numbers: string[] = [];
  for (const [slot, plan] of plans.entries()) {
    const number = ctx.nextOrderNumber();
    await addPlaceOrder(ctx, b, plan, number, { slot, grouped: true });
    numbers.push(number);
  }
  const resultsAt = b.select(q.SELECT_PLACED(plans.length));
  b.add('COMMIT');
  const row = (await b.run())[resultsAt]![0]!;
  return numbers.map((number, i) => {
    const r = row[`r${i}`] as string | null;
    if (r === null) {
      ctx.logger.debug({ errno: row[`e${i}`] }, 'an order was rolled back in its group; writing it on its own');
      return null;
    }
    return placedOrder(number, r);
  });
}
