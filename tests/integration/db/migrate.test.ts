import { afterAll, describe, expect, inject, it } from 'vitest';
import mysql from 'mysql2/promise';
import { migrate } from '../../../src/db/migrate.js';
import { splitDatabaseUrl, withDatabase } from '../../../src/db/pool.js';

// A second database of this run's own, so creating it from nothing can be tested.
const url = inject('databaseUrl').replace(/quicksell_test_(\d+)/, 'quicksell_test_$1_fresh');

afterAll(async () => {
  const { serverUrl, database } = splitDatabaseUrl(url);
  const conn = await mysql.createConnection({ uri: serverUrl });
  await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await conn.end();
});

describe('npm run migrate', () => {
  it('creates a missing database, applies every migration once, and is safe to run twice', async () => {
    const first = await migrate(url);
    expect(first.length).toBeGreaterThan(0);
    expect(first[0]).toBe('001_base.sql');
    const second = await migrate(url);
    expect(second).toEqual([]);
    const conn = await mysql.createConnection({ uri: withDatabase(url, splitDatabaseUrl(url).database) });
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT name FROM schema_migrations ORDER BY name');
    await conn.end();
    expect(rows.map((r) => r.name)).toEqual(first);
  });

  it('says which service is down and how to start it when MariaDB does not answer', async () => {
    await expect(migrate('mysql://root@127.0.0.1:1/quicksell_test_nowhere')).rejects.toThrow(
      /MariaDB\/MySQL at 127\.0\.0\.1:1 is not answering[\s\S]*start-stop-daemon/,
    );
  });
});
