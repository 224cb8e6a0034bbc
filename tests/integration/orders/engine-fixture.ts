import { pino } from 'pino';
import type { RowDataPacket } from 'mysql2';
import { createBatchPool, createPool, type Db } from '../../../src/db/pool.js';
import { createOrderService, type FaultHook, type OrderService, type OrderServiceDeps, type OutboxRows } from '../../../src/orders/index.js';
import { testConfig } from '../../helpers/test-config.js';

/** A real engine on the run's test database, with an outbox that records what it was asked to publish. */
export interface EngineFixture {
  db: Db;
  /** the createOrder batch's multi-statement pool */
  batchDb: Db;
  orders: OrderService;
  published: OutboxRows[];
  /** set to make the next publish calls fail (the order must still succeed) */
  failPublish: { on: boolean };
  fault: { hook: FaultHook | null };
  close(): Promise<void>;
}

export function engineFixture(env: Record<string, string> = {}, extra: Pick<OrderServiceDeps, 'orderNumbers' | 'serverTraits'> = {}): EngineFixture {
  const config = testConfig({ DB_POOL_SIZE: '10', ...env });
  const db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  const batchDb = createBatchPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  const published: OutboxRows[] = [];
  const failPublish = { on: false };
  const fault: { hook: FaultHook | null } = { hook: null };
  const orders = createOrderService({
    db,
    batchDb,
    config,
    logger: pino({ level: 'silent' }),
    outbox: {
      publish: async (rows) => {
        if (failPublish.on) throw new Error('redis is down');
        published.push(rows);
      },
    },
    faultHook: (step) => fault.hook?.(step),
    ...extra,
  });
  return { db, batchDb, orders, published, failPublish, fault, close: async () => void (await Promise.all([db.end(), batchDb.end()])) };
}

export async function rows<T = RowDataPacket>(db: Db, sql: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await db.query<RowDataPacket[]>(sql, params);
  return r as T[];
}

/** The inventory invariant (docs/architecture.md) for one product: on hand − reserved ≥ 0 and Σ reserved rows = reserved_quantity. */
export async function inventoryOf(db: Db, productId: number) {
  const [p] = await rows(db, 'SELECT stock_quantity, reserved_quantity FROM products WHERE id = ?', [productId]);
  const [s] = await rows(db, `SELECT COALESCE(SUM(quantity), 0) AS held FROM inventory_reservations WHERE product_id = ? AND status = 'reserved'`, [productId]);
  return { stock: Number(p!.stock_quantity), reserved: Number(p!.reserved_quantity), held: Number(s!.held) };
}
