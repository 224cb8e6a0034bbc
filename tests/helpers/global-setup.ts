import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { TestProject } from 'vitest/node';
import { deleteKeysByPrefix } from '../../bench/bench-support.js';
import { migrate } from '../../src/db/migrate.js';
import { withDatabase } from '../../src/db/pool.js';
import { TEST_REDIS_URL } from './test-redis.js';

/**
 * One database per test run, named quicksell_test_<pid>: created here, migrated, handed to the test
 * files through provide/inject, dropped at the end. No other database is ever touched. Likewise the Redis
 * keys: every test app's prefix starts with this run's (tests/helpers/test-prefix.ts), and the run's keys
 * are deleted at the end; no other key is touched.
 */
const SERVER_URL = process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/';
const NAME = `quicksell_test_${process.pid}`;
/** inside each prefix's {hash tag}: `{qs-test-<pid>-<kind>-<uuid>}` */
const REDIS_PREFIX = `qs-test-${process.pid}-`;

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisPrefix: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = withDatabase(SERVER_URL, NAME);
  await dropDatabase();
  await migrate(url);
  project.provide('databaseUrl', url);
  project.provide('redisPrefix', REDIS_PREFIX);
  await deleteRunKeys(TEST_REDIS_URL, REDIS_PREFIX); // a run killed before its teardown, whose pid came round again
  return async () => {
    if (process.env.KEEP_TEST_DB) return;
    await dropDatabase();
    await deleteRunKeys(TEST_REDIS_URL, REDIS_PREFIX);
  };
}

/**
 * Every key whose {hash tag} starts with `runPrefix` (the benches' SCAN-and-delete, never KEYS or FLUSHDB:
 * the Redis may serve others); returns how many were deleted.
 */
export async function deleteRunKeys(redisUrl: string, runPrefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  try {
    await redis.connect();
    return await deleteKeysByPrefix(redis, `{${runPrefix}`);
  } finally {
    redis.disconnect();
  }
}

async function dropDatabase(): Promise<void> {
  const conn = await mysql.createConnection({ uri: SERVER_URL });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${NAME}\``);
  } finally {
    await conn.end();
  }
}
