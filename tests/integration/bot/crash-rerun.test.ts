import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph, type RecordedMessage } from '../../../src/simulator/fake-graph.js';
import { signBody } from '../../../src/bot/signature.js';
import { APP_SECRET, VERIFY_TOKEN, events, newPsid, pageBody, startHarness, type Harness } from './bot-harness.js';
import { privateDatabase } from '../../helpers/private-database.js';
import { freePort } from '../simulator/free-port.js';
import { eventually } from '../jobs/jobs-harness.js';
import { testPrefix } from '../../helpers/test-prefix.js';

/**
 * A web process (`node src/main.ts`, ROLE=web) is killed with SIGKILL in the middle of a turn that sends
 * two replies: the first was delivered, the second had reached Graph, whose answer the process did not live
 * to read. Another web process takes the user over once the dead one's lease lapses and runs the turn
 * again: it sends neither reply again (the second's delivery is unknown to it: never sent twice).
 */
const LEASE_MS = 1500;

describe('when a web process dies in the middle of a turn', () => {
  let graph: FakeGraph;
  let database: { url: string; drop(): Promise<void> };
  let other: Harness;
  let child: ChildProcess | null = null;
  const prefix = testPrefix('crash');
  // a reply claimed by a dead run is given up as "maybe delivered" SEND_API_TIMEOUT_MS + 2 s after its claim
  const turnEnv = { TURN_LOCK_MS: String(LEASE_MS), TURN_SWEEP_MS: '200', SEND_API_TIMEOUT_MS: '1500' };

  beforeAll(async () => {
    graph = await startFakeGraph();
    database = await privateDatabase();
    other = await startHarness({ graph, queuePrefix: prefix, overrides: { DATABASE_URL: database.url, ...turnEnv } });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await other?.close();
    await graph?.close();
    await database?.drop();
  });

  async function startWeb(): Promise<{ port: number; exited: Promise<unknown> }> {
    const port = await freePort();
    const env = {
      ...process.env, ...turnEnv, NODE_ENV: 'test', ROLE: 'web', PORT: String(port), HOST: '127.0.0.1', METRICS_PORT: '0', LOG_LEVEL: 'warn',
      DATABASE_URL: database.url, REDIS_URL: other.app.config.REDIS_URL, QUEUE_PREFIX: prefix, GRAPH_API_URL: graph.url,
      FB_APP_SECRET: APP_SECRET, FB_VERIFY_TOKEN: VERIFY_TOKEN, FB_PAGE_ACCESS_TOKEN: 'test-page-token', SIMULATOR: 'off', DEMO_SEED: 'false',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, cwd: process.cwd(), stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise((resolve) => child!.on('exit', resolve));
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000, 'the web process listening');
    return { port, exited };
  }

  it('re-runs the turn elsewhere within a lease, and the customer gets each reply once', async () => {
    const web = await startWeb();
    const psid = newPsid();
    const texts = (msgs: RecordedMessage[]) => msgs.map((m) => m.body.message?.text ?? '');
    // the turn: "That cart is no longer available." then the empty-cart message
    let armed = true;
    const killed = new Promise<void>((resolve) => {
      graph.events.on('message', (m: RecordedMessage) => {
        if (armed && m.psid === psid) graph.setDelayFor(psid, 200); // the second reply will be slow
      });
      graph.events.on('request', ({ body }: { body: string }) => {
        if (!armed || !body.includes(psid) || graph.sentTo(psid).length !== 1) return;
        armed = false;
        child!.kill('SIGKILL'); // the second reply reaches the customer; its sender dies waiting for the answer
        resolve();
      });
    });
    const raw = JSON.stringify(pageBody(events.postback(psid, 'Place order', 'PLACE_ORDER:999999999')));
    const res = await fetch(`http://127.0.0.1:${web.port}/webhook`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(raw, APP_SECRET) }, body: raw,
    });
    expect(res.status).toBe(200);
    await killed;
    await web.exited;
    const ttl = await other.app.redis.pttl(`${prefix}:bot:lock:${psid}`);
    expect(ttl).toBeLessThanOrEqual(LEASE_MS); // the dead process holds this customer one short lease at most
    graph.setDelayFor(psid, 0);

    await graph.waitFor(() => graph.sentTo(psid).length >= 2, 20_000);
    await eventually(async () => (await other.app.redis.llen(`${prefix}:bot:inbox:${psid}`)) === 0, 30_000, 'the re-run finished');
    await other.app.bot!.idle();
    const sent = texts(graph.sentTo(psid));
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe('That cart is no longer available.');
    expect(sent[1]).not.toBe(sent[0]);
    expect(sent.filter((t) => /Sorry/.test(t))).toEqual([]);
    expect(await other.app.redis.llen(`${prefix}:bot:inbox:${psid}`)).toBe(0);
  }, 120_000); // a child process starting with tsx on a busy machine
});
