import mysql from 'mysql2/promise';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrate.js';
import { withDatabase } from '../../src/db/pool.js';

/**
 * One database per test run, named quicksell_test_<pid>: created here, migrated, handed to the test
 * files through provide/inject, dropped at the end. No other database is ever touched.
 */
const SERVER_URL = process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/';
const NAME = `quicksell_test_${process.pid}`;

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = withDatabase(SERVER_URL, NAME);
  await dropDatabase();
  await migrate(url);
  project.provide('databaseUrl', url);
  return async () => {
    if (!process.env.KEEP_TEST_DB) await dropDatabase();
  };
}

async function dropDatabase(): Promise<void> {
  const conn = await mysql.createConnection({ uri: SERVER_URL });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${NAME}\``);
  } finally {
    await conn.end();
  }
}
