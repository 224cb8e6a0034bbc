/**
 * npm run chaos — the promise under faults, on several processes and a Redis Cluster (see bench/README.md).
 * Starts everything it uses on loopback (own mariadbd, 3-master Redis Cluster, one plain redis-server, a
 * fake Graph, QuickSell processes) and stops it at the end. Two scenarios with the same load:
 *   scale-out: 2 ROLE=web + 2 ROLE=worker on the cluster, with faults (SIGKILL a web and a worker and
 *              restart them, restart the Redis master holding the prefix's slot, restart MariaDB);
 *   baseline:  1 web + 1 worker on one Redis, no process faults;
 * both with a slow and failing Graph for a share of the customers. Prints every check (exit 1 on any
 * violation), throughput, latencies and per-master Redis load.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveMariaDb, startMariaDb, type MariaDbServer } from './chaos/mariadb-server.js';
import { startRedisServers, type RedisServers } from './chaos/redis-servers.js';
import { runScenario, type Fault, type ScenarioResult } from './chaos/scenario.js';
import type { GraphFaults } from './chaos/chaos-graph.js';

const num = (key: string, def: number) => (process.env[key] ? Number(process.env[key]) : def);
const DURATION_S = num('CHAOS_DURATION_S', 300);
const CUSTOMERS = num('CHAOS_CUSTOMERS', 300);
const CONCURRENCY = num('CHAOS_CONCURRENCY', 30);
const API_ORDERS = num('CHAOS_API_ORDERS', 30);
const runDir = process.env.CHAOS_DIR ?? join(tmpdir(), `quicksell-chaos-${process.pid}`);
const GRAPH: GraphFaults = { flakyShare: num('CHAOS_FLAKY_SHARE', 0.2), slow: 0.1, error: 0.1, throttle: 0.03, slowMs: 7000 };
const log = (line: string) => console.log(line);
/** Seconds kept at the end of the budget for stopping the servers. */
const TEARDOWN_S = 10;

function scaleOutFaults(redis: RedisServers, db: MariaDbServer | null, loadS: number, prefix: () => string): Fault[] {
  const at = (share: number) => Math.round(loadS * share);
  const faults: Fault[] = [
    { atS: at(0.1), name: 'SIGKILL web-2, restarted after 2 s', run: async ({ webs }) => restartAfter(webs[1]!, 2000) },
    { atS: at(0.3), name: 'SIGKILL worker-1, restarted after 2 s', run: async ({ workers }) => restartAfter(workers[0]!, 2000) },
    {
      atS: at(0.5),
      name: 'Redis master holding the prefix slot killed, restarted after 3 s',
      run: async () => redis.restart(await redis.ownerOf(`${prefix()}:x`), 3000),
    },
  ];
  if (db) faults.push({ atS: at(0.7), name: 'MariaDB killed, restarted after 5 s', run: async () => db.restart(5000) });
  return faults;
}

async function restartAfter(p: { kill(): Promise<void>; start(): Promise<void> }, ms: number): Promise<void> {
  await p.kill();
  await new Promise((r) => setTimeout(r, ms));
  await p.start();
}

function report(r: ScenarioResult): void {
  log(`\n== ${r.label} ==`);
  for (const c of r.checks) log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name} — ${c.detail}`);
  log(`customers: ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const s of r.stuckSamples) log(`  e.g. ${s}`);
  log(`cut short by the budget: ${r.cutShort.length ? r.cutShort.join('; ') : 'nothing'} (${r.seconds.toFixed(0)} s from load start to checks done)`);
  log(`graph arrivals: ${Object.entries(r.graph).map(([k, v]) => `${k} ${v}`).join(', ')}; webhook POSTs retried on another web process: ${r.webhookRetries}`);
  log(
    `throughput over ${r.loadSeconds.toFixed(1)} s of load: ${(r.ordersChat / r.loadSeconds).toFixed(2)} chat orders/s (+${r.ordersApi} REST), ` +
      `${(r.events / r.loadSeconds).toFixed(1)} webhook events/s, ${(r.eventsAnswered / r.loadSeconds).toFixed(1)} turns/s; ` +
      `event → first reply p50 ${r.p50} ms, p99 ${r.p99} ms`,
  );
  const total = Object.values(r.perMaster).reduce((s, n) => s + n, 0) || 1;
  log(`redis commands per master: ${Object.entries(r.perMaster).map(([port, n]) => `:${port} ${n} (${((100 * n) / total).toFixed(0)}%)`).join(', ')}`);
}

async function main(): Promise<number> {
  const started = Date.now();
  log(`npm run chaos — ${CUSTOMERS} customers (${CONCURRENCY} at a time), ${API_ORDERS} REST orders, budget ${DURATION_S} s; run folder ${runDir}`);
  const own = haveMariaDb();
  const db = own ? await startMariaDb({ dir: join(runDir, 'mariadb') }) : null;
  const mysqlServerUrl = db ? `mysql://root@127.0.0.1:${db.port}` : (process.env.CHAOS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
  if (!db) log('mariadbd/mariadb-install-db not found: using the machine\'s MySQL with private databases; the MariaDB restart fault is skipped');
  const cluster = await startRedisServers({ dir: join(runDir, 'redis-cluster'), masters: 3, cluster: true });
  const single = await startRedisServers({ dir: join(runDir, 'redis-single'), masters: 1, cluster: false });
  log(`own MariaDB :${db?.port ?? '-'}, Redis Cluster ${cluster.url}, single Redis ${single.url}`);
  const results: ScenarioResult[] = [];
  try {
    // The budget is hard: each scenario gets a deadline, and its phases (load, a grace for customers in
    // flight, drain, checks) deadlines derived from it (scenario.ts phaseDeadlines); what one cut short is
    // printed. Load: 35 % of the budget for the scale-out run, 20 % for the baseline; drain 8 % each.
    const loadS = Math.max(30, Math.floor(DURATION_S * 0.35));
    const baseLoadS = Math.max(20, Math.floor(DURATION_S * 0.2));
    const drainS = Math.max(20, Math.floor(DURATION_S * 0.08));
    const end = started + DURATION_S * 1000 - TEARDOWN_S * 1000;
    // what is left after the shared start-up, split in proportion to each scenario's load + drain + the
    // ~50 s every scenario spends besides (process start-up, grace, checks, stopping)
    const both = process.env.CHAOS_ONLY === undefined;
    const scaleOutEnd = both ? Date.now() + ((end - Date.now()) * (loadS + drainS + 50)) / (loadS + baseLoadS + 2 * drainS + 100) : end;
    let prefix = '';
    const common = { runDir, mysqlServerUrl, customers: CUSTOMERS, concurrency: CONCURRENCY, apiOrders: API_ORDERS, lowStockProducts: 3, lowStock: 3, graphFaults: GRAPH, loadBudgetS: loadS, drainS, log };
    if (process.env.CHAOS_ONLY !== 'baseline') results.push(
      await runScenario({
        ...common,
        label: 'scale-out',
        webs: 2,
        workers: 2,
        redis: cluster,
        faults: scaleOutFaults(cluster, db, loadS, () => prefix),
        onPrefix: (p: string) => (prefix = p),
        deadline: scaleOutEnd,
      }),
    );
    if (results[0]) report(results[0]);
    if (process.env.CHAOS_ONLY !== 'scale-out') {
      results.push(await runScenario({ ...common, loadBudgetS: baseLoadS, label: 'baseline', webs: 1, workers: 1, redis: single, faults: [], deadline: end }));
      report(results.at(-1)!);
    }
  } finally {
    await cluster.stop();
    await single.stop();
    await db?.stop();
  }
  const [a, b] = results;
  if (a && b) {
    const rate = (r: ScenarioResult) => r.eventsAnswered / r.loadSeconds;
    log(`\nscale-out ratio (2 web + 2 worker on a 3-master cluster with faults vs 1 + 1 on one Redis): ${(rate(a) / Math.max(0.001, rate(b))).toFixed(2)}× turns/s, ` + `${(a.ordersChat / a.loadSeconds / Math.max(0.001, b.ordersChat / b.loadSeconds)).toFixed(2)}× orders/s`);
  }
  const violations = results.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.label}: ${c.name}`));
  const took = (Date.now() - started) / 1000;
  log(`\n${violations.length ? `${violations.length} violation(s): ${violations.join('; ')}` : 'no violations'} — ${took.toFixed(0)} s in all (budget ${DURATION_S} s${took > DURATION_S ? ', OVERRUN' : ''})`);
  return violations.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
