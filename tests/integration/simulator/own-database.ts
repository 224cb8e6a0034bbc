import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, inject } from 'vitest';
import { migrate } from '../../../src/db/migrate.js';
import { createPool, splitDatabaseUrl, withDatabase, type Db } from '../../../src/db/pool.js';

/**
 * A migrated database of the test's own, for tests that need an empty catalog (the demo seed only
 * fills an empty shop, and the run's shared database has other files' products). Named after the
 * run's database so it is recognisably a test database; dropped by `drop()`.
 */
export async function ownDatabase(tag: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const shared = splitDatabaseUrl(inject('databaseUrl'));
  const name = `${shared.database}_${tag}_${randomUUID().slice(0, 6)}`;
  const url = withDatabase(inject('databaseUrl'), name);
  await migrate(url);
  return {
    url,
    name,
    async drop() {
      const conn = await mysql.createConnection({ uri: shared.serverUrl });
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

/** Inside a describe: a fresh own database and a pool on it for the block's tests, dropped afterwards. */
export function useOwnDatabase(tag: string): { db: Db; url: string } {
  const ctx = {} as { db: Db; url: string };
  let database: Awaited<ReturnType<typeof ownDatabase>>;
  beforeAll(async () => {
    database = await ownDatabase(tag);
    ctx.url = database.url;
    ctx.db = createPool({ url: database.url, timeZone: 'Asia/Manila' });
  });
  afterAll(async () => {
    await ctx.db?.end();
    await database?.drop();
  });
  return ctx;
}
