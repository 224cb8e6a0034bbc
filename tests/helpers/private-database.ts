import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { inject } from 'vitest';
import { splitDatabaseUrl, withDatabase } from '../../src/db/pool.js';
import { migrate } from '../../src/db/migrate.js';

/**
 * A migrated database of one test's own, named after the run's test database; `drop` removes it.
 * Any app that runs workers needs one: the outbox relay publishes every unpublished row of its
 * database, so apps of other test files sharing one database would deliver each other's rows.
 */
export async function privateDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = inject('databaseUrl');
  const name = `${splitDatabaseUrl(base).database}_p${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  const url = withDatabase(base, name);
  await migrate(url);
  return {
    url,
    async drop() {
      if (process.env.KEEP_TEST_DB) return;
      const conn = await mysql.createConnection({ uri: splitDatabaseUrl(url).serverUrl });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``).finally(() => conn.end());
    },
  };
}
