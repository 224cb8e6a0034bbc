import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/logging.js';
import { startFakeGraph, type FakeGraph } from '../../../src/simulator/fake-graph.js';
import { testConfig } from '../../helpers/test-config.js';
import { privateDatabase } from '../../helpers/private-database.js';
import { makeProduct } from '../../helpers/factories.js';
import { APP_SECRET, Chat, type Harness } from '../bot/bot-harness.js';
import { addByName } from '../bot/shopper.js';

/**
 * Finding 3 of the security audit: a failed order logged err.sql (the whole batch: name, phone,
 * address, PSID, IP, user agent), the bot's failures too, and GET /webhook logged the verify token in
 * req.url. Every log line now goes through the app's serializers.
 */
const VERIFY = `verify-${randomUUID()}`;
const SECRET = APP_SECRET;
const NAME = 'Zed Leakington';
const PHONE = '09998887766';
const ADDRESS = '77 Secretlane St, Brgy. Hidden';

let app: App;
let graph: FakeGraph;
let database: Awaited<ReturnType<typeof privateDatabase>>;
const lines: string[] = [];

beforeAll(async () => {
  database = await privateDatabase();
  graph = await startFakeGraph();
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config = testConfig({
    DATABASE_URL: database.url,
    GRAPH_API_URL: graph.url,
    FB_PAGE_ACCESS_TOKEN: 'test-page-token',
    FB_APP_SECRET: SECRET,
    FB_VERIFY_TOKEN: VERIFY,
    ADMIN_API_KEY: `root-${randomUUID()}`,
    API_RATE_LIMIT: '0',
    LOG_LEVEL: 'trace',
  });
  app = await buildApp(config, { logger: createLogger('trace', sink), workers: false });
  // an outage inside the order's transaction, for this recipient only: the batch fails with its SQL attached
  await app.db.query(
    `CREATE TRIGGER qs_test_fail_order BEFORE INSERT ON orders FOR EACH ROW
       IF NEW.recipient_name = '${NAME}' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'disk on fire'; END IF`,
  );
});
afterAll(async () => {
  await app?.close();
  await graph?.close();
  await database?.drop();
});

/** Every key of every parsed log line, at any depth. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysOf(v, into);
    }
  }
  return into;
}

describe('log lines', () => {
  it('hold no SQL, personal data, PSID or verify token after failed orders (API and chat) and a webhook check', async () => {
    const productName = `Vase ${randomUUID().slice(0, 8)}`;
    const productId = await makeProduct(app.db, { name: productName, stock: 10 });
    const { ADMIN_API_KEY: key } = app.config;
    const body = {
      user_id: (await app.db.query<import('mysql2').ResultSetHeader>("INSERT INTO users (name, phone) VALUES ('Someone', '09170000000')"))[0].insertId,
      items: [{ product_id: productId, quantity: 1 }],
      payment_method: 'cod',
      shipping_address: { recipient_name: NAME, phone: PHONE, address: ADDRESS, city: 'Manila', province: 'Metro Manila', postal_code: '1000' },
    };
    const api = await app.http!.inject({ method: 'POST', url: '/api/orders', headers: { authorization: `Bearer ${key}` }, payload: body });
    expect(api.statusCode).toBe(500);

    const chat = new Chat({ app, graph } as Harness);
    await addByName(chat, productName, 1);
    await chat.postback('CHECKOUT', 'Checkout');
    for (const answer of [NAME, PHONE, ADDRESS, 'Manila']) await chat.say(answer);
    await chat.tap(/Metro Manila/);
    await chat.say('1000');
    await chat.tap(/Cash on delivery/);
    await chat.tap(/No promo code/);
    await chat.tap(/Place order/);
    expect(chat.lastText()).toMatch(/something went wrong/);

    const check = await app.http!.inject({ url: `/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=4242` });
    expect(check.body).toBe('4242');

    const text = lines.join('\n');
    expect(text).toContain('request failed');
    expect(text).toContain('bot handler failed');
    expect(text).toContain('/webhook?hub.mode=…&hub.verify_token=…&hub.challenge=…');
    for (const secret of [NAME, PHONE, ADDRESS, chat.psid, VERIFY, SECRET]) {
      expect(lines.filter((l) => l.includes(secret)), secret).toEqual([]);
    }
    // the phone's last four digits, in what the lines say: not in the random values every line carries (its
    // time, request id and response time), where '7766' turns up by chance (a request id 'a77666cb-…' failed CI)
    const said = lines.map((l) => {
      const { time: _t, pid: _p, reqId: _r, responseTime: _rt, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>');
    });
    expect(said.filter((l) => l.includes('7766')), '7766').toEqual([]);
    const keys = lines.map((l) => keysOf(JSON.parse(l)));
    expect(keys.filter((k) => k.has('sql') || k.has('sqlMessage'))).toEqual([]);
    // what is kept to diagnose: the error's kind, code and the statement's first words
    const failed = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
    expect(failed.err).toMatchObject({ code: 'ER_SIGNAL_EXCEPTION', errno: 1644, sqlState: '45000', message: 'disk on fire' });
    expect(failed.err.statement).toMatch(/^BEGIN NOT ATOMIC|^START TRANSACTION/);
  });
});
