import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql, { type ResultSetHeader } from 'mysql2/promise';
import { Queue } from 'bullmq';
import { migrate } from '../../src/db/migrate.js';
import { createRedis, type RedisClient } from '../../src/db/redis.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { startAppProcess, type AppProcess } from './app-processes.js';
import { startChaosGraph, type ChaosGraph, type GraphFaults } from './chaos-graph.js';
import { ChatUser, shopperJourney, WebhookClient, type CustomerResult } from './customers.js';
import { apiOrderWithRetries, startAdminDesk, type ApiOrderResult } from './admins-and-api.js';
import { chatEventsLeft, runChecks, type Check } from './checks.js';
import type { RedisServers } from './redis-servers.js';

/**
 * One chaos scenario: its own database and key prefix, N web + M worker processes, simulated customers,
 * admins and REST clients, faults at given times, then a drain and the checks.
 */
export interface Fault {
  atS: number;
  name: string;
  run(ctx: FaultContext): Promise<void>;
}
export interface FaultContext {
  webs: AppProcess[];
  workers: AppProcess[];
  graph: ChaosGraph;
  prefix: string;
  log(line: string): void;
}

export interface ScenarioOptions {
  label: string;
  runDir: string;
  webs: number;
  workers: number;
  redis: RedisServers;
  /** mysql://root@host:port (no database): the scenario creates and migrates its own database there */
  mysqlServerUrl: string;
  customers: number;
  concurrency: number;
  apiOrders: number;
  lowStockProducts: number;
  lowStock: number;
  graphFaults: GraphFaults;
  faults: Fault[];
  /** customers still going after this long are left (bounded run) */
  loadBudgetS: number;
  drainS: number;
  /**
   * The scenario's hard end (epoch ms): its checks are done by then. Every phase gets a deadline derived
   * from it (load, then a grace for the customers in flight and the admins, then the drain, then the
   * checks); what a deadline cut short is reported in `cutShort`.
   */
  deadline?: number;
  log(line: string): void;
  env?: Record<string, string>;
  /** told the scenario's key prefix before the load starts (a fault may need its slot) */
  onPrefix?(prefix: string): void;
}

export interface ScenarioResult {
  label: string;
  checks: Check[];
  loadSeconds: number;
  ordersChat: number;
  ordersApi: number;
  events: number;
  eventsAnswered: number;
  p50: number;
  p99: number;
  outcomes: Record<string, number>;
  graph: Record<string, number>;
  perMaster: Record<number, number>;
  webhookRetries: number;
  /** what a few stuck customers last saw (to tell a fault's victim from a bug) */
  stuckSamples: string[];
  /** what the scenario's deadline cut short (empty: nothing) */
  cutShort: string[];
  seconds: number;
}

/** Seconds the checks, the log files and stopping the processes are given at the end of a scenario. */
const CHECKS_RESERVE_S = 15;
/** After the load time: customers in flight finish their step and the admins their taps within this. */
const GRACE_S = 20;

/** The phase deadlines of a scenario that must end by `deadline` (epoch ms), its load starting now. */
export function phaseDeadlines(now: number, o: { loadBudgetS: number; drainS: number; deadline?: number }): { load: number; grace: number; drain: number } {
  const end = o.deadline ?? now + (o.loadBudgetS + GRACE_S + o.drainS + CHECKS_RESERVE_S) * 1000;
  const drain = end - CHECKS_RESERVE_S * 1000;
  const grace = Math.max(now, Math.min(now + (o.loadBudgetS + GRACE_S) * 1000, drain - o.drainS * 1000));
  const load = Math.max(now, Math.min(now + o.loadBudgetS * 1000, grace - GRACE_S * 1000));
  return { load, grace, drain };
}

/** p, or `fallback` once `until` (epoch ms) has come. */
async function until<T>(p: Promise<T>, at: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((r) => (timer = setTimeout(() => r(fallback), Math.max(0, at - Date.now()))));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const APP_SECRET = 'chaos-app-secret';
const API_KEY = `chaos-${randomUUID()}`;

function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function seed(db: mysql.Pool, o: ScenarioOptions): Promise<{ names: string[]; low: string[]; restUser: number; restProduct: number }> {
  const low: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < o.lowStockProducts; i++) low.push(`Limited drop ${i + 1}`);
  for (let i = 0; i < 6; i++) names.push(`Everyday item ${i + 1}`);
  for (const [name, stock] of [...low.map((n) => [n, o.lowStock] as const), ...names.map((n) => [n, 100_000] as const)]) {
    await db.query('INSERT INTO products (sku, name, price, stock_quantity, status, category, low_stock_threshold) VALUES (?, ?, ?, ?, ?, ?, 0)', [`CH-${name.replace(/\W+/g, '-')}`, name, '500.00', stock, 'active', 'Chaos']);
  }
  const [u] = await db.query<ResultSetHeader>('INSERT INTO users (name, phone, psid) VALUES (?, ?, NULL)', ['REST Buyer', '09170000000']);
  const [[p]] = (await db.query('SELECT id FROM products WHERE name = ?', [names[0]])) as unknown as [[{ id: number }]];
  return { names, low, restUser: u.insertId, restProduct: p.id };
}

async function pool<T>(n: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const tag = randomUUID().slice(0, 6);
  const database = `quicksell_chaos_${o.label.replace(/\W+/g, '_')}_${tag}`;
  const prefix = `{chaos-${o.label}-${tag}}`;
  const dbUrl = `${o.mysqlServerUrl}/${database}`;
  o.onPrefix?.(prefix);
  mkdirSync(o.runDir, { recursive: true });
  await migrate(dbUrl);
  let db = mysql.createPool({ uri: dbUrl, connectionLimit: 4 });
  const products = await seed(db, o);
  const graph = await startChaosGraph();
  graph.setFaults(o.graphFaults);
  const admins = [`chaos-admin-${tag}-1`, `chaos-admin-${tag}-2`];
  const env: Record<string, string> = {
    NODE_ENV: 'development', LOG_LEVEL: 'warn', SIMULATOR: 'off', DEMO_SEED: 'false',
    DATABASE_URL: dbUrl, REDIS_URL: o.redis.url, QUEUE_PREFIX: prefix, DB_POOL_SIZE: '20',
    FB_PAGE_ACCESS_TOKEN: 'chaos-page-token', FB_APP_SECRET: APP_SECRET, FB_VERIFY_TOKEN: 'chaos-verify', GRAPH_API_URL: graph.url,
    SEND_API_TIMEOUT_MS: '5000', JOB_BACKOFF_MS: '500', RATE_LIMIT_BACKOFF_MS: '1000', SEND_API_RATE_PER_SECOND: '300', NOTIFICATION_CONCURRENCY: '20',
    OUTBOX_RELAY_INTERVAL_MS: '1000', OUTBOX_REPUBLISH_AFTER_MS: '15000', WORKER_LOCK_MS: '10000', WORKER_STALLED_INTERVAL_MS: '5000',
    EXPIRY_SWEEP_INTERVAL_MS: '5000', SHUTDOWN_TIMEOUT_MS: '5000', ADMIN_PSIDS: admins.join(','), ADMIN_API_KEY: API_KEY, API_RATE_LIMIT: '0',
    FRAUD_MAX_ORDERS_PER_HOUR: '1000', FRAUD_DUPLICATE_WINDOW_MINUTES: '0', FRAUD_COD_LIMIT: '1000000',
    ...o.env,
  };
  // one process migrates (the others would wait on its GET_LOCK anyway), then all start at once
  const start = (role: 'web' | 'worker', i: number) => startAppProcess({ name: `${o.label}-${role}-${i + 1}`, role, env, logDir: o.runDir });
  const [webs, workers] = await Promise.all([
    Promise.all(Array.from({ length: o.webs }, (_, i) => start('web', i))),
    Promise.all(Array.from({ length: o.workers }, (_, i) => start('worker', i))),
  ]);
  const webUrls = () => webs.map((w) => w.url);
  const client = new WebhookClient(webUrls, APP_SECRET);
  const desk = startAdminDesk(graph, client, admins);
  const redis: RedisClient = createRedis(o.redis.url, { maxRetriesPerRequest: 3 });
  redis.on('error', () => undefined);
  const queues = QUEUE_NAMES.map((name) => new Queue(name, { connection: redis, prefix }));
  const before = await o.redis.commandCounts();

  const started = Date.now();
  const phases = phaseDeadlines(started, o);
  const deadline = phases.load;
  const cutShort: string[] = [];
  let cutAtGrace = 0;
  const ctx: FaultContext = { webs, workers, graph, prefix, log: o.log };
  const faultRuns = o.faults.map(
    (f) =>
      new Promise<void>((resolve) => {
        setTimeout(() => {
          const t0 = Date.now();
          f.run(ctx)
            .then(() => o.log(`  fault at ${((t0 - started) / 1000).toFixed(0)} s: ${f.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`))
            .catch((err: Error) => o.log(`  fault at ${((t0 - started) / 1000).toFixed(0)} s: ${f.name} FAILED: ${err.message}`))
            .finally(resolve);
        }, f.atS * 1000);
      }),
  );
  const psids = Array.from({ length: o.customers }, (_, i) => `chaos-c-${tag}-${i + 1}`);
  const customers = pool<CustomerResult>(o.customers, o.concurrency, async (i) => {
    if (Date.now() > deadline) return { psid: psids[i]!, outcome: 'stuck', step: 'not started (load budget spent)' };
    // half the customers race for a few low-stock products
    const product = i % 2 === 0 ? products.low[i % products.low.length]! : products.names[i % products.names.length]!;
    const r = await shopperJourney(new ChatUser(psids[i]!, graph, client, phases.grace), product, 90_000).catch((err: Error) => ({ psid: psids[i]!, outcome: 'stuck' as const, step: err.message }));
    if (r.outcome === 'stuck' && Date.now() >= phases.grace - 100) cutAtGrace += 1;
    return r;
  });
  const restBody = {
    user_id: products.restUser,
    items: [{ product_id: products.restProduct, quantity: 1 }],
    subtotal: 500, shipping_fee: 100, discount_amount: 0, total_amount: 600, payment_method: 'cod',
    shipping_address: { recipient_name: 'REST Buyer', phone: '09170000000', address: '1 API Street, Brgy. Uno', city: 'Manila', province: 'Metro Manila', postal_code: '1000' },
  };
  const api = pool<ApiOrderResult>(o.apiOrders, o.apiOrders, async (i) => {
    await new Promise((r) => setTimeout(r, (i * o.loadBudgetS * 500) / Math.max(1, o.apiOrders)));
    return apiOrderWithRetries(webUrls, API_KEY, restBody);
  });
  const results = await customers;
  const loadSeconds = (Date.now() - started) / 1000;
  // REST orders still retrying at the grace's end are left (their answered ids are checked, not the rest)
  const apiDone: ApiOrderResult[] = [];
  const apiResults = await until(api, phases.grace, apiDone);
  if (apiResults === apiDone) cutShort.push('REST orders still retrying at the end of the grace');
  if (!(await until(Promise.all(faultRuns).then(() => true), phases.drain, false))) cutShort.push('a fault still running at the drain\'s end');
  if (!(await until(desk.idle().then(() => true), phases.grace, false))) cutShort.push('admins still confirming at the end of the grace');
  desk.stop();

  // drain: every notification row settled, no job waiting and every chat inbox empty, bounded
  const drainUntil = Math.max(Date.now() + 5000, phases.drain);
  for (;;) {
    const settled = await (async () => {
      const [[open]] = (await db.query(`SELECT COUNT(*) AS n FROM notification_queue WHERE status IN ('pending','processing')`)) as unknown as [[{ n: number }]];
      const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'active')));
      if (Number(open.n) !== 0 || counts.reduce((s, c) => s + (c.waiting ?? 0) + (c.active ?? 0), 0) > 1) return false;
      // chat events still queued (a turn retried with backoff after an outage) are part of the drain too
      return (await chatEventsLeft(redis, prefix)).length === 0;
    })().catch(() => false); // the database or Redis may still be coming back from a fault
    if (settled) break;
    if (Date.now() > drainUntil) {
      cutShort.push(`the drain, at ${((Date.now() - started) / 1000).toFixed(0)} s (rows, jobs or chat events still open: the checks below say which)`);
      break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const after = await o.redis.commandCounts();
  await db.end(); // its connections may predate a database restart
  db = mysql.createPool({ uri: dbUrl, connectionLimit: 4 });
  const checks = await runChecks({ db, redis, prefix, queues, graph, customerPsids: psids, api: apiResults, postedAt: client.postedAt, expiryGraceSeconds: 30 });
  writeFileSync(join(o.runDir, `${o.label}-graph.jsonl`), graph.arrivals.map((a) => JSON.stringify(a)).join('\n'));

  const stuckSamples = results
    .filter((r) => r.outcome !== 'ordered')
    .slice(0, Number(process.env.CHAOS_SAMPLES ?? 3))
    .map((r) => `${r.psid} ${r.outcome} at ${r.step}${graph.isFlaky(r.psid) ? ' (flaky Graph)' : ''}: ${graph.deliveredTo(r.psid).slice(-3).map((a) => JSON.stringify((a.message.text ?? '[card]').slice(0, 70)) + (a.message.quick_replies ? `[${a.message.quick_replies.map((q) => q.title).join('|')}]` : '')).join(' → ')}`);
  const notStarted = results.filter((r) => r.step === 'not started (load budget spent)').length;
  if (notStarted) cutShort.push(`${notStarted} customers not started (load time spent)`);
  if (cutAtGrace) cutShort.push(`${cutAtGrace} customers stopped waiting when the grace ended (counted as stuck)`);
  const outcomes: Record<string, number> = {};
  for (const r of results) outcomes[r.outcome === 'stuck' ? `stuck at ${r.step}` : r.outcome] = (outcomes[`${r.outcome === 'stuck' ? `stuck at ${r.step}` : r.outcome}`] ?? 0) + 1;
  const [[chat]] = (await db.query(`SELECT COUNT(*) AS n FROM orders WHERE order_source = 'messenger'`)) as unknown as [[{ n: number }]];
  const [[rest]] = (await db.query(`SELECT COUNT(*) AS n FROM orders WHERE order_source <> 'messenger'`)) as unknown as [[{ n: number }]];

  await Promise.all([...webs, ...workers].map((p) => p.stop()));
  await Promise.all(queues.map((q) => q.close()));
  redis.disconnect();
  await graph.close();
  if (!process.env.CHAOS_KEEP_DB) await db.query(`DROP DATABASE \`${database}\``).catch(() => undefined);
  await db.end();

  const perMaster: Record<number, number> = {};
  for (const port of o.redis.ports) perMaster[port] = (after[port] ?? 0) - (before[port] ?? 0);
  return {
    label: o.label,
    checks,
    loadSeconds,
    ordersChat: Number(chat.n),
    ordersApi: Number(rest.n),
    events: client.stats.eventsAccepted,
    eventsAnswered: client.stats.replyLatencies.length,
    p50: percentile(client.stats.replyLatencies, 50),
    p99: percentile(client.stats.replyLatencies, 99),
    outcomes,
    graph: graph.counts(),
    perMaster,
    webhookRetries: client.stats.postRetries,
    stuckSamples,
    cutShort,
    seconds: (Date.now() - started) / 1000,
  };
}
