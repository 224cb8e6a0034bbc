import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from '../../../src/simulator/fake-graph.js';
import { freePort } from '../simulator/free-port.js';
import { eventually, FAST_JOBS, insertNotification, lowStockPayload, notificationRow, privateDatabase, startJobsApp, uniquePsid, type JobsTestApp } from './jobs-harness.js';
import { testPrefix } from '../../helpers/test-prefix.js';

/**
 * A ROLE=worker process (`node src/main.ts`) answers /healthz and /readyz on WORKER_HTTP_PORT (and /metrics
 * on the operators' listener, METRICS_PORT) so
 * an orchestrator can probe it, runs BullMQ jobs, and runs no chat turns (those belong to web processes).
 */
describe('a ROLE=worker process', () => {
  let graph: FakeGraph;
  let database: { url: string; drop(): Promise<void> };
  let producer: JobsTestApp;
  let child: ChildProcess;
  let port: number;
  let metricsPort: number;
  const prefix = testPrefix();

  beforeAll(async () => {
    graph = await startFakeGraph();
    database = await privateDatabase();
    // neither web nor worker: it only publishes (a web app would drain the chat inbox below itself)
    producer = await startJobsApp({ QUEUE_PREFIX: prefix }, { graph, databaseUrl: database.url, workers: false, web: false });
    port = await freePort();
    metricsPort = await freePort();
    const env = {
      ...process.env, ...FAST_JOBS, NODE_ENV: 'test', ROLE: 'worker', WORKER_HTTP_PORT: String(port), METRICS_PORT: String(metricsPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
      DATABASE_URL: database.url, REDIS_URL: producer.config.REDIS_URL, QUEUE_PREFIX: prefix, GRAPH_API_URL: graph.url,
      SIMULATOR: 'off', DEMO_SEED: 'false', TURN_SWEEP_MS: '100', TURN_LOCK_MS: '500',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, cwd: process.cwd(), stdio: ['ignore', 'ignore', 'inherit'] });
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 90_000, 'the worker probe listening');
  }, 120_000); // a child process starting with tsx on a busy machine
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await producer?.close();
    await graph?.close();
    await database?.drop();
  });

  it('answers /healthz, /readyz (MySQL and Redis checked) on WORKER_HTTP_PORT and /metrics on METRICS_PORT', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404); // not on the probe port
    const verbose = await (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).json();
    expect(verbose).toMatchObject({ status: 'ok', checks: { mysql: 'ok', redis: 'ok' } });
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^quicksell_queue_depth\{queue="notifications",state="waiting"\} \d+/m);
    expect((await fetch(`http://127.0.0.1:${port}/api/products`)).status).toBe(404); // no API on a worker
  });

  it('runs jobs but leaves chat turns to the web processes', async () => {
    const psid = `psid-${randomUUID().slice(0, 8)}`;
    const event = { kind: 'text', psid, pageId: 'PAGE', timestamp: Date.now(), dedupeKey: `m:${randomUUID()}`, text: 'hi', payload: null, attachments: [] };
    await producer.app.redis.rpush(`${prefix}:bot:inbox:${psid}`, JSON.stringify(event));
    await producer.app.redis.sadd(`${prefix}:bot:pending`, psid);
    const admin = uniquePsid('probe');
    const id = await insertNotification(producer.db, { type: 'low_stock', psid: admin, payload: lowStockPayload('Probe Rice') });
    await producer.app.jobs.publish({ notificationIds: [id], processingIds: [] });
    await eventually(async () => (await notificationRow(producer.db, id)).status === 'completed', 20_000, 'the worker sent the job');
    expect(graph.sentTo(psid)).toEqual([]);
    expect(await producer.app.redis.llen(`${prefix}:bot:inbox:${psid}`)).toBe(1);
    expect(await producer.app.redis.exists(`${prefix}:bot:lock:${psid}`)).toBe(0); // never even taken
  });
});
