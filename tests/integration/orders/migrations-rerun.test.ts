import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../../../src/db/migrate.js';
import { splitDatabaseUrl, withDatabase } from '../../../src/db/pool.js';

/** The engine's migrations (002-005) re-applied by hand on a database of this test's own: no error, same objects. */
const { database } = splitDatabaseUrl(inject('databaseUrl'));
const scratch = `${database}_rerun`;
const url = withDatabase(inject('databaseUrl'), scratch);
const server = withDatabase(inject('databaseUrl'), '');

afterAll(async () => {
  const c = await mysql.createConnection({ uri: server });
  await c.query(`DROP DATABASE IF EXISTS \`${scratch}\``);
  await c.end();
});

describe('the order engine migrations', () => {
  it('can be applied twice without error and leave 3 views, the triggers and the procedures in place', async () => {
    await migrate(url);
    const c = await mysql.createConnection({ uri: url, multipleStatements: true });
    try {
      const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^00[2-9]_/.test(f)).sort();
      expect(files).toEqual(['002_order_triggers.sql', '003_inventory_procedures.sql', '004_order_views.sql', '005_default_shipping_rates.sql', '006_promo_usage_limit.sql', '007_reserve_inventory_quiet.sql']);
      for (const f of files) await c.query(await readFile(path.join(MIGRATIONS_DIR, f), 'utf8'));
      const [views] = await c.query<mysql.RowDataPacket[]>(`SELECT TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY 1`, [scratch]);
      expect(views.map((v) => v.name)).toEqual(['vw_daily_order_summary', 'vw_inventory_status', 'vw_pending_orders']);
      const [triggers] = await c.query<mysql.RowDataPacket[]>(`SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1`, [scratch]);
      expect(triggers.map((t) => t.name)).toEqual(['trg_orders_history_insert', 'trg_orders_history_update', 'trg_products_low_stock', 'trg_products_stock_guard']);
      const [procs] = await c.query<mysql.RowDataPacket[]>(`SELECT ROUTINE_NAME AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1`, [scratch]);
      // 060 adds the live-sale holds built on sp_reserve_inventory; 070 createOrder's writes (sp_place_order)
      expect(procs.map((p) => p.name)).toEqual([
        'sp_adopt_cart_holds', 'sp_commit_order_inventory', 'sp_expire_order_inventory', 'sp_hold_inventory',
        'sp_place_order', 'sp_release_hold', 'sp_release_order_inventory', 'sp_release_reservations', 'sp_reserve_inventory',
      ]);
      const [rates] = await c.query<mysql.RowDataPacket[]>(`SELECT fee FROM shipping_rates WHERE province IN ('Metro Manila', '*') ORDER BY province`);
      expect(rates.map((r) => r.fee)).toEqual(['180.00', '100.00']);
    } finally {
      await c.end();
    }
  });
});
