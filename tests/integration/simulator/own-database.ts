import { afterAll, beforeAll } from 'vitest';
import { createPool, type Db } from '../../../src/db/pool.js';
import { privateDatabase } from '../../helpers/private-database.js';

/**
 * The demo seed only fills an empty shop and the run's shared database has other files' products, so
 * these tests use a database of their own (tests/helpers/private-database.ts).
 */
export const ownDatabase = privateDatabase;

/** Inside a describe: a fresh own database and a pool on it for the block's tests, dropped afterwards. */
export function useOwnDatabase(): { db: Db; url: string } {
  const ctx = {} as { db: Db; url: string };
  let database: Awaited<ReturnType<typeof privateDatabase>>;
  beforeAll(async () => {
    database = await privateDatabase();
    ctx.url = database.url;
    ctx.db = createPool({ url: database.url, timeZone: 'Asia/Manila' });
  });
  afterAll(async () => {
    await ctx.db?.end();
    await database?.drop();
  });
  return ctx;
}
