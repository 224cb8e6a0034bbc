import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { SESSION_SQL_MODE, splitDatabaseUrl } from './pool.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

/** Explain an unreachable MariaDB in words that say how to start it. */
export function mysqlUnavailable(url: string, err: unknown): ServiceUnavailableError {
  const { serverUrl } = splitDatabaseUrl(url);
  const host = new URL(serverUrl).host;
  const reason = err instanceof Error ? (err as NodeJS.ErrnoException).code ?? err.message : String(err);
  return new ServiceUnavailableError(
    `MariaDB/MySQL at ${host} is not answering (${reason}). Start it with:\n` +
      `  mkdir -p /run/mysqld && chown mysql /run/mysqld; start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql\n` +
      `or set DATABASE_URL to a reachable server.`,
  );
}

/**
 * Create the database if missing and apply migrations/NNN_name.sql in order, each once, recorded in
 * schema_migrations. Each file is sent as one multi-statement query, so triggers and procedures need
 * no DELIMITER. A named lock keeps two processes from migrating at once. Returns the files applied.
 */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => undefined): Promise<string[]> {
  const { database } = splitDatabaseUrl(databaseUrl);
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`DATABASE_URL: bad database name "${database}"`);
  let conn: mysql.Connection;
  try {
    const u = new URL(databaseUrl);
    u.pathname = '/';
    conn = await mysql.createConnection({ uri: u.toString(), multipleStatements: true, connectTimeout: 5000 });
  } catch (err) {
    throw mysqlUnavailable(databaseUrl, err);
  }
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.query(`USE \`${database}\``);
    // routines and triggers keep the sql_mode they were created with: ours, not the server's default
    await conn.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}'`);
    await conn.query('SELECT GET_LOCK(?, 60)', [`quicksell_migrate_${database}`]);
    await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name VARCHAR(255) NOT NULL PRIMARY KEY,
      applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
    ) ENGINE=InnoDB`);
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT name FROM schema_migrations');
    const done = new Set(rows.map((r) => r.name as string));
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
      try {
        await conn.query(sql);
      } catch (err) {
        throw new Error(`migration ${file} failed: ${(err as Error).message}`);
      }
      await conn.query('INSERT INTO schema_migrations (name) VALUES (?)', [file]);
      applied.push(file);
      log(`applied ${file}`);
    }
    return applied;
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [`quicksell_migrate_${database}`]).catch(() => undefined);
    await conn.end();
  }
}
