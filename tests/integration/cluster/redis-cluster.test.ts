import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Chat, startHarness, type Harness } from '../bot/bot-harness.js';
import { addByName, checkoutAndPlace, ordersOf } from '../bot/shopper.js';
import { makeProduct } from '../../helpers/factories.js';
import { haveRedisServer, startRedisServers, type RedisServers } from '../../../bench/chaos/redis-servers.js';
import { masterConnections } from '../../../src/db/redis.js';
import { createRelay, type PageMessage } from '../../../src/simulator/relay.js';
import { testPrefix } from '../../helpers/test-prefix.js';

/**
 * The whole app on a 3-master Redis Cluster of its own: BullMQ with the hash-tagged prefix, the turn
 * runner's scripts, dialog state, the rate-limit store and the simulator's pub/sub. Skipped only where
 * redis-server is not installed.
 */
const adminPsid = `admin-${randomUUID().slice(0, 8)}`;
let servers: RedisServers;
let h: Harness;
const prefix = testPrefix('cl');

describe.skipIf(!haveRedisServer())('on a 3-master Redis Cluster', () => {
  beforeAll(async () => {
    servers = await startRedisServers({ dir: join(tmpdir(), `qs-cluster-test-${process.pid}`), masters: 3, cluster: true });
    h = await startHarness({ workers: true, adminPsids: [adminPsid], queuePrefix: prefix, overrides: { REDIS_URL: servers.url, API_RATE_LIMIT: '300' } });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await servers?.stop();
  });

  it('takes a shopper to a placed order, alerts the admin, and tells the shopper when the admin confirms', async () => {
    const tag = randomUUID().slice(0, 6);
    await makeProduct(h.app.db, { name: `Cluster fan ${tag}`, price: '700.00', stock: 4 });
    const chat = new Chat(h);
    await addByName(chat, `Cluster fan ${tag}`, 2);
    await checkoutAndPlace(chat);
    const [order] = await ordersOf(chat);
    expect(order).toMatchObject({ order_status: 'pending', order_source: 'messenger' });
    await h.graph.waitFor(() => chat.texts().some((t) => t.startsWith(`✅ Order ${order!.order_number} received!`)), 20_000);

    const admin = new Chat(h, adminPsid);
    await h.graph.waitFor(() => admin.texts().some((t) => t.includes(order!.order_number)), 20_000);
    await admin.tapIn(new RegExp(order!.order_number), /Confirm/);
    expect(admin.lastText()).toBe(`✅ ${order!.order_number} confirmed. The customer is being notified.`);
    await h.graph.waitFor(() => chat.texts().some((t) => t.includes(order!.order_number) && /confirmed/i.test(t)), 20_000);
    expect(chat.texts().filter((t) => t.startsWith(`✅ Order ${order!.order_number} received!`))).toHaveLength(1);
  });

  it('keeps every key of the app on the master that owns the prefix hash tag', async () => {
    const owner = await servers.ownerOf(`${prefix}:x`);
    const counts = await Promise.all(
      masterConnections(h.app.redis).map(async (node) => {
        let n = 0;
        for await (const keys of node.scanStream({ match: `${prefix}*`, count: 500 })) n += (keys as string[]).length;
        return { port: node.options.port, n };
      }),
    );
    expect(counts.filter((c) => c.n > 0).map((c) => c.port)).toEqual([owner]);
    expect(counts.find((c) => c.port === owner)!.n).toBeGreaterThan(5);
  });

  it('counts API requests in the cluster (rate-limit store) and answers /readyz', async () => {
    const res = await h.app.http!.inject({ method: 'GET', url: '/api/products', remoteAddress: '10.9.8.7' });
    expect(res.statusCode).toBe(401); // no key; the per-IP limit ran first, against the cluster
    // the operators' listener names each check (the public /readyz says only its status)
    const ready = await h.app.internalHttp.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({ status: 'ok', checks: { redis: 'ok' } });
    let limited = 0;
    for (const node of masterConnections(h.app.redis)) {
      for await (const keys of node.scanStream({ match: `${prefix}:ratelimit:*`, count: 500 })) limited += (keys as string[]).length;
    }
    expect(limited).toBeGreaterThan(0);
  });

  it("relays the simulator's chat items between processes through the cluster's pub/sub", async () => {
    const got: PageMessage[] = [];
    const logger = pino({ level: 'silent' });
    const a = await createRelay({ redisUrl: servers.url, channel: `${prefix}:sim`, logger, onMessage: (m) => got.push(m) });
    const b = await createRelay({ redisUrl: servers.url, channel: `${prefix}:sim`, logger, onMessage: () => undefined });
    try {
      const msg = { psid: 'p1', item: { kind: 'text', text: 'hello' } } as unknown as PageMessage;
      await b.publish(msg);
      await expect.poll(() => got.length, { timeout: 5000 }).toBe(1);
      expect(got[0]).toEqual(msg);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
