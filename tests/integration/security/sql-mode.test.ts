import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { createBatchPool, createPool, SESSION_SQL_MODE, splitDatabaseUrl, type Db } from '../../../src/db/pool.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';
import { startTestApi, type TestApi } from '../http/http-test-app.js';

/**
 * Finding 2 of the security audit: mysql2 escapes values on the client (a quote becomes \') without
 * knowing the session's sql_mode. Under NO_BACKSLASH_ESCAPES that backslash is a plain character, the
 * quote closes the string and the rest of the value runs as SQL — as a second statement wherever
 * multi-statement queries were allowed (every pooled connection). Now every session's sql_mode is
 * pinned when it opens, and only the createOrder batch's own pool takes several statements.
 */
const config = testConfig();
const poolOpts = { url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 2 };
const sessionMode = async (db: Db) => String((await db.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m'))[0][0]!.m);

describe('the pools', () => {
  let db: Db;
  let batchDb: Db;
  beforeAll(() => {
    db = createPool(poolOpts);
    batchDb = createBatchPool(poolOpts);
  });
  afterAll(async () => {
    await db.end();
    await batchDb.end();
  });

  it('pin the session sql_mode (and time zone) on every connection', async () => {
    expect(await sessionMode(db)).toBe(SESSION_SQL_MODE);
    expect(await sessionMode(batchDb)).toBe(SESSION_SQL_MODE);
    const [[tz]] = await db.query<RowDataPacket[]>('SELECT @@SESSION.time_zone AS tz');
    expect(tz!.tz).toBe('+08:00');
  });

  it('refuse a second statement everywhere but on the batch pool', async () => {
    await expect(db.query('SELECT 1; SELECT 2')).rejects.toMatchObject({ code: 'ER_PARSE_ERROR' });
    const [sets] = await batchDb.query('SELECT 1 AS a; SELECT 2 AS b');
    expect(sets).toHaveLength(2);
  });

  it('fail every query loudly on a connection whose pin failed, and keep the process running', async () => {
    // +14:00 is beyond what a MariaDB session accepts: the pin's SET fails
    const broken = createPool({ ...poolOpts, timeZone: 'Pacific/Kiritimati' });
    try {
      await expect(broken.query('SELECT 1')).rejects.toThrow(/could not pin the session's sql_mode and time zone/);
      await expect(broken.query('SELECT 1')).rejects.toThrow(/could not pin/);
    } finally {
      await broken.end();
    }
  });
});

describe("with the server's global sql_mode set to NO_BACKSLASH_ESCAPES", () => {
  let api: TestApi;
  let raw: mysql.Connection;
  let hostileMode = '';
  const marker = `qs_inj_${randomUUID().replace(/-/g, '').slice(0, 6)}`;

  beforeAll(async () => {
    raw = await mysql.createConnection({ uri: config.DATABASE_URL });
    await raw.query(`CREATE TABLE ${marker} (v INT NOT NULL)`);
    api = await startTestApi({ DB_POOL_SIZE: '2' }); // its pools open no connection until used
    const pools = [api.app.db, (api.app as { batchDb?: Db }).batchDb].filter((p): p is Db => !!p);
    // The global mode is shared by every session that opens meanwhile (other test runs too): set it,
    // open this app's connections and one to look at, and restore it at once.
    const [[before]] = await raw.query<RowDataPacket[]>('SELECT @@GLOBAL.sql_mode AS m');
    await raw.query("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')");
    try {
      const probe = await mysql.createConnection({ uri: splitDatabaseUrl(config.DATABASE_URL).serverUrl });
      const held = await Promise.all(pools.flatMap((p) => [p.getConnection(), p.getConnection()]));
      held.forEach((c) => c.release());
      hostileMode = String((await probe.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m'))[0][0]!.m);
      await probe.end();
    } finally {
      await raw.query('SET GLOBAL sql_mode = ?', [before!.m]);
    }
  });
  afterAll(async () => {
    await api?.close();
    await raw?.query(`DROP TABLE IF EXISTS ${marker}`);
    await raw?.end();
  });

  const injected = async () => (await raw.query<RowDataPacket[]>(`SELECT v FROM ${marker}`))[0].map((r) => Number(r.v));

  async function order(address: Record<string, string>) {
    const userId = await makeUser(api.app.db);
    const productId = await makeProduct(api.app.db, { stock: 5 });
    const body = seedOrderPayload(userId, productId, 1);
    const { subtotal: _s, shipping_fee: _f, discount_amount: _d, total_amount: _t, ...rest } = body;
    const res = await api.request({ method: 'POST', url: '/api/orders', body: { ...rest, shipping_address: { ...body.shipping_address, ...address } } });
    return { res, userId };
  }

  it('opened connections in the hostile mode (the test really runs under it)', () => {
    expect(hostileMode).toContain('NO_BACKSLASH_ESCAPES');
  });

  it('stores a checkout address that would close its quotes as given, and runs no second statement', async () => {
    // closes the address string, ends the INSERT with harmless values (hex, no quotes), adds a statement
    // (on MariaDB the batch is one compound statement, which then fails to parse as a whole: a 500)
    const address = `\\', 0x63, 0x70, 0x31303030, 0x617069, NULL, NULL, 0, 0x5b5d, 0, NOW(), 0x78, 0x617069, NULL); INSERT INTO ${marker} VALUES (1); -- `;
    const { res, userId } = await order({ address });
    expect(await injected()).toEqual([]);
    expect(res.statusCode, res.body).toBe(201);
    const [[row]] = await api.app.db.query<RowDataPacket[]>('SELECT shipping_address, city, province FROM orders WHERE user_id = ?', [userId]);
    // the documented trimming: surrounding spaces dropped, inner runs of spaces squashed
    expect(row).toEqual({ shipping_address: address.trim(), city: 'Manila', province: 'Metro Manila' });
  });

  it('prices a province that would close its quotes as given, and runs no second statement', async () => {
    // closes the string, completes the SELECT's joins (cross joins), then adds a statement
    const province = `\\' JOIN shipping_rates anyr JOIN orders o; INSERT INTO ${marker} VALUES (2); -- `;
    const { res, userId } = await order({ province });
    expect(await injected()).toEqual([]);
    expect(res.statusCode, res.body).toBe(201);
    const [[row]] = await api.app.db.query<RowDataPacket[]>('SELECT province FROM orders WHERE user_id = ?', [userId]);
    expect(row!.province).toBe(province.trim());
  });
});
