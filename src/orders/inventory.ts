import type { RowDataPacket } from 'mysql2';
import { publishAfterCommit, type EngineContext } from './engine-context.js';
import { getProduct } from './catalog.js';
import * as q from './sql/catalog-sql.js';
import { clearLowStockIds, errno, runTx, signalOf, takeLowStockIds } from './tx.js';
import type { ProductResult, ValidationError } from './types.js';

/**
 * Stock on hand, changed by hand (restock, correction, a count): the one home of the rule that stock on
 * hand never goes below what open orders have reserved. Every change is recorded in
 * inventory_adjustments (before → after, who, why). The database trigger (002) is the last-line guard
 * of the same rule; this checks it first, under the product's row lock, to say how many are reserved.
 */
export type StockChange = { delta: number } | { set: number };

const MAX = 10_000_000;

export async function changeStock(ctx: EngineContext, id: number, change: StockChange, reason: string, actor = 'admin'): Promise<ProductResult> {
  const errors: ValidationError[] = [];
  if ('delta' in change && (!Number.isSafeInteger(change.delta) || change.delta === 0 || Math.abs(change.delta) > MAX)) {
    errors.push({ field: 'delta', code: 'OUT_OF_RANGE', message: 'delta must be a whole number other than 0 (positive to restock, negative to remove)' });
  }
  if ('set' in change && (!Number.isSafeInteger(change.set) || change.set < 0 || change.set > MAX)) {
    errors.push({ field: 'stock_quantity', code: 'OUT_OF_RANGE', message: `stock must be a whole number from 0 to ${MAX}` });
  }
  if (typeof reason !== 'string' || !reason.trim()) errors.push({ field: 'reason', code: 'REQUIRED', message: 'reason is required (e.g. "restock from supplier")' });
  if (errors.length) return { success: false, code: 'VALIDATION_FAILED', error: errors[0]!.message, validation_errors: errors };
  if (!Number.isSafeInteger(id) || id <= 0) return notFound(id);

  const outcome = await runTx(ctx.db, async (conn) => {
    const [[row]] = await conn.query<RowDataPacket[]>(q.LOCK_PRODUCT, [id]);
    if (!row) return null;
    const before = Number(row.stock_quantity);
    const reserved = Number(row.reserved_quantity);
    const after = 'set' in change ? change.set : before + change.delta;
    const below = { below: { name: String(row.name), before, after, reserved } };
    if (after < reserved) return below;
    if (after === before) return { low: [] as number[], unchanged: true };
    await clearLowStockIds(conn);
    try {
      await conn.query(q.ADJUST_STOCK, [after - before, id]);
    } catch (err) {
      // the trigger or the CHECK constraint: a reservation landed between our read and the update
      if (signalOf(err)?.code === 'STOCK_BELOW_RESERVED' || errno(err) === 4025) return below;
      throw err;
    }
    await conn.query(q.INSERT_ADJUSTMENT, [id, after - before, before, after, reason.trim().slice(0, 500), actor.slice(0, 100)]);
    return { low: await takeLowStockIds(conn) };
  });
  if (!outcome) return notFound(id);
  if ('below' in outcome) {
    const { name, before, after, reserved } = outcome.below;
    const field = 'set' in change ? 'stock_quantity' : 'delta';
    return {
      success: false,
      code: 'STOCK_BELOW_RESERVED',
      error: `Cannot make the stock of ${name} ${after}: ${reserved} ${reserved === 1 ? 'is' : 'are'} reserved for open orders (stock is ${before}; it cannot go below ${reserved})`,
      validation_errors: [{ field, code: 'OUT_OF_RANGE', message: `stock cannot go below the ${reserved} reserved for open orders` }],
    };
  }
  await publishAfterCommit(ctx, { notificationIds: [], broadcastIds: outcome.low, processingIds: [] });
  return { success: true, product: (await getProduct(ctx, id))! };
}

/**
 * Hide a product from the shop (inactive) or show it again, recorded in the same history as stock
 * changes (delta 0, the stock unchanged, the reason says which).
 */
export async function setVisibility(ctx: EngineContext, id: number, visible: boolean, actor = 'admin'): Promise<ProductResult> {
  if (!Number.isSafeInteger(id) || id <= 0) return notFound(id);
  const found = await runTx(ctx.db, async (conn) => {
    const [[row]] = await conn.query<RowDataPacket[]>(q.LOCK_PRODUCT, [id]);
    if (!row) return false;
    const status = visible ? 'active' : 'inactive';
    if (row.status === status) return true;
    await conn.query(q.SET_PRODUCT_STATUS, [status, id]);
    const stock = Number(row.stock_quantity);
    await conn.query(q.INSERT_ADJUSTMENT, [id, 0, stock, stock, visible ? 'shown in the shop' : 'hidden from the shop', actor.slice(0, 100)]);
    return true;
  });
  return found ? { success: true, product: (await getProduct(ctx, id))! } : notFound(id);
}

function notFound(id: number): ProductResult {
  return { success: false, code: 'PRODUCT_NOT_FOUND', error: `Product ${id} does not exist`, validation_errors: [] };
}
