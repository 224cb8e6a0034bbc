import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveMariaDb, startMariaDb, type MariaDbServer } from '../../../bench/chaos/mariadb-server.js';
import { haveRedisServer, startRedisServers, type RedisServers } from '../../../bench/chaos/redis-servers.js';
import { runScenario, type ScenarioResult } from '../../../bench/chaos/scenario.js';
import { ephemeralPortsFrom } from '../../../bench/chaos/ports.js';

/**
 * The short variant of `npm run chaos`, with the same checks: one ROLE=web and one ROLE=worker process,
 * one Redis, a MariaDB of its own that is killed and restarted once while customers check out, and a Graph
 * that answers a share of the customers past the Send API timeout. Needs redis-server and mariadbd
 * (skipped only where they are not installed).
 */
const dir = join(tmpdir(), `qs-chaos-short-${process.pid}`);
let db: MariaDbServer;
let redis: RedisServers;
let result: ScenarioResult;
const lines: string[] = [];

describe.skipIf(!haveRedisServer() || !haveMariaDb())('chaos, short: one process each, a database outage and a slow Graph', () => {
  beforeAll(async () => {
    db = await startMariaDb({ dir: join(dir, 'mariadb') });
    redis = await startRedisServers({ dir: join(dir, 'redis'), masters: 1, cluster: false });
    result = await runScenario({
      label: 'short',
      runDir: dir,
      webs: 1,
      workers: 1,
      redis,
      mysqlServerUrl: `mysql://root@127.0.0.1:${db.port}`,
      customers: 12,
      concurrency: 12,
      apiOrders: 3,
      lowStockProducts: 2,
      lowStock: 3,
      graphFaults: { flakyShare: 0.4, slow: 0.3, error: 0, throttle: 0, slowMs: 7000 },
      faults: [{ atS: 5, name: 'MariaDB killed, restarted after 5 s', run: () => db.restart(5000) }],
      loadBudgetS: 30,
      drainS: 40,
      log: (line) => lines.push(line),
    }).catch((err: Error) => {
      // the scenario's own log says which fault or phase went wrong
      throw new Error(`${err.message}\n${lines.join('\n')}`);
    });
  }, 300_000);
  afterAll(async () => {
    await redis?.stop();
    await db?.stop();
  });

  it('ran the load and the fault: customers ordered, the REST client got its orders, the database came back', () => {
    expect(lines.some((l) => /MariaDB killed, restarted after 5 s \(/.test(l))).toBe(true);
    expect(result.outcomes.ordered ?? 0).toBeGreaterThan(0);
    expect(result.ordersApi).toBe(3);
  });

  it('runs its MariaDB and Redis below the ephemeral port range, so a restarted server finds its port free', () => {
    // a port from listen(0) was ephemeral: once, with the bot tests beside it, the killed MariaDB never came back
    expect(Math.max(db.port, ...redis.ports)).toBeLessThan(ephemeralPortsFrom());
  });

  it('keeps the promise: every check of npm run chaos holds', () => {
    const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name} — ${c.detail}`);
    expect(failed).toEqual([]);
    expect(result.checks.map((c) => c.name)).toContain('every committed notification row delivered');
  });
});
