import { randomUUID } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { buildApp, type App } from '../../../src/app.js';
import type { Config } from '../../../src/config.js';
import type { Db } from '../../../src/db/pool.js';
import { startFakeGraph, type FakeGraph } from '../../../src/simulator/fake-graph.js';
import { testConfig } from '../../helpers/test-config.js';
import { privateDatabase } from '../../helpers/private-database.js';

/**
 * A whole app (web + workers) on the test database with its own queue prefix, sending to a local fake
 * Graph API. Short retry, stall and relay intervals so failures and recoveries happen within a test.
 * Each app gets a database of its own (the run's database name + a suffix, dropped on close): the outbox
 * relay publishes any unpublished row of its database, so apps of other test files sharing one database
 * would deliver each other's rows to the wrong fake Graph API.
 */
export const FAST_JOBS: Record<string, string> = {
  JOB_BACKOFF_MS: '50',
  JOB_ATTEMPTS: '5',
  RATE_LIMIT_BACKOFF_MS: '300',
  WORKER_LOCK_MS: '2000',
  WORKER_STALLED_INTERVAL_MS: '500',
  OUTBOX_RELAY_INTERVAL_MS: '300',
  SEND_API_TIMEOUT_MS: '3000',
  SHUTDOWN_TIMEOUT_MS: '4000',
};

export interface JobsTestApp {
  app: App;
  graph: FakeGraph;
  config: Config;
  db: Db;
  close(): Promise<void>;
}

export { privateDatabase };

export interface StartOptions {
  graph?: FakeGraph;
  workers?: boolean;
  /** build the HTTP server and the bot (default true) */
  web?: boolean;
  /** an existing database (e.g. shared by two apps of one test); default: a private one */
  databaseUrl?: string;
  /** trust this CA for payment-proof downloads (a fake CDN's self-signed certificate) */
  mediaExtraCa?: string;
}

export async function startJobsApp(overrides: Record<string, string> = {}, opts: StartOptions = {}): Promise<JobsTestApp> {
  const graph = opts.graph ?? (await startFakeGraph());
  const database = opts.databaseUrl ? null : await privateDatabase();
  const config = testConfig({
    GRAPH_API_URL: graph.url,
    DATABASE_URL: opts.databaseUrl ?? database!.url,
    ...FAST_JOBS,
    ...overrides,
  });
  const app = await buildApp(config, { workers: opts.workers ?? true, web: opts.web ?? true, mediaExtraCa: opts.mediaExtraCa });
  await app.start();
  return {
    app,
    graph,
    config,
    db: app.db,
    async close() {
      await app.close();
      if (!opts.graph) await graph.close();
      await database?.drop();
    },
  };
}

export const uniquePsid = (tag = 'u') => `${tag}-${randomUUID().slice(0, 12)}`;

/** An outbox row written the way the engine and the low-stock trigger write them. */
export async function insertNotification(
  db: Db,
  row: { type: string; recipientType?: 'customer' | 'admin'; psid?: string | null; orderId?: number | null; payload?: object },
): Promise<number> {
  const [res] = await db.query<ResultSetHeader>(
    `INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload) VALUES (?, ?, ?, ?, ?)`,
    [row.orderId ?? null, row.recipientType ?? 'admin', row.psid ?? null, row.type, JSON.stringify(row.payload ?? {})],
  );
  return res.insertId;
}

export async function notificationRow(db: Db, id: number): Promise<Record<string, unknown>> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT * FROM notification_queue WHERE id = ?', [id]);
  return rows[0] ?? {};
}

export async function childRows(db: Db, parentId: number): Promise<Record<string, unknown>[]> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT * FROM notification_queue WHERE parent_id = ? ORDER BY id', [parentId]);
  return rows;
}

/** Poll until fn returns a truthy value (a condition in another process or table); throw after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A job as BullMQ left it once finished (completed or failed), read in one go after it finished. A Job
 * fetched while still active keeps the attemptsMade and returnvalue of that moment even if its state,
 * asked a moment later, reads finished: a loaded machine loses that race (attemptsMade 0, no returnvalue).
 */
export function finishedJob(queue: Queue, jobId: string, timeoutMs = 15_000): Promise<Job> {
  return eventually(async () => {
    const j = await queue.getJob(jobId);
    return j?.finishedOn ? j : false;
  }, timeoutMs, `job ${jobId} finished`);
}

export const lowStockPayload = (name: string) => ({ name, available_quantity: 2, low_stock_threshold: 5 });
