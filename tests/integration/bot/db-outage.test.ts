import { randomUUID } from 'node:crypto';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Chat, events, pageBody, postWebhook, startHarness, type Harness } from './bot-harness.js';
import { addByName, answerAddress } from './shopper.js';
import { makeProduct } from '../../helpers/factories.js';
import { privateDatabase } from '../../helpers/private-database.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { eventually } from '../jobs/jobs-harness.js';
import { QUEUES } from '../../../src/jobs/index.js';

/**
 * MariaDB goes away (the app reaches it through a proxy the test cuts) around the customer's "Place order"
 * tap. The webhook still accepts the event; the turn fails on the outage, stays at the head of the user's
 * inbox and is retried; once the database is back the order is created and the customer hears of it once.
 */
describe('when MariaDB is unreachable around "Place order"', () => {
  let proxy: TcpProxy;
  let database: { url: string; drop(): Promise<void> };
  let direct: mysql.Connection;
  let h: Harness;

  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(inject('databaseUrl')).port || 3306));
    database = await privateDatabase();
    direct = await mysql.createConnection({ uri: database.url });
    h = await startHarness({
      workers: true,
      overrides: {
        DATABASE_URL: proxy.via(database.url),
        TURN_RETRY_BACKOFF_MS: '100',
        TURN_LOCK_MS: '1000',
        TURN_SWEEP_MS: '200',
        OUTBOX_RELAY_INTERVAL_MS: '300',
        JOB_ATTEMPTS: '8',
        JOB_BACKOFF_MS: '300',
        WORKER_LOCK_MS: '2000',
        WORKER_STALLED_INTERVAL_MS: '500',
      },
    });
  });
  afterAll(async () => {
    proxy?.restore();
    await h?.close();
    await direct?.end();
    await proxy?.close();
    await database?.drop();
  });

  const metric = async (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec((await h.app.metrics.render()).body)?.[1] ?? 0);

  it('keeps the tap, retries it once the database is back: one order, one success message, no apology', async () => {
    const name = `Outage Rice ${randomUUID().slice(0, 6)}`;
    await makeProduct(h.app.db, { name, stock: 5, price: '500.00' });
    const chat = new Chat(h);
    await addByName(chat, name, 1);
    await chat.tap(/Checkout/);
    await answerAddress(chat);
    await chat.tap(/Cash on delivery/);
    await chat.tap(/No promo code/);
    const place = chat.find(/Place order/);
    chat.replies();

    proxy.cut();
    const tapped = await postWebhook(h.app, pageBody(events.quickReply(chat.psid, place.title, place.payload)));
    expect(tapped.statusCode).toBe(200);
    const help = await postWebhook(h.app, pageBody(events.postback(chat.psid, 'Help', 'HELP'))); // waits behind the tap
    expect(help.statusCode).toBe(200);
    const before = proxy.refused();
    await eventually(async () => proxy.refused() >= before + 3, 20_000, 'the app tried the database a few times');
    const maintenance = h.app.jobs.queues[QUEUES.maintenance];
    await eventually(async () => {
      const jobs = await maintenance.getJobs(['delayed', 'failed']);
      return jobs.some((j) => j.attemptsMade > 0);
    }, 20_000, 'a maintenance job failed on the outage');
    expect(await h.app.redis.llen(`${h.app.config.QUEUE_PREFIX}:bot:inbox:${chat.psid}`)).toBe(2); // tap + help, in order
    proxy.restore();

    await eventually(async () => chat.texts().some((t) => /^✅ Order .* received!/.test(t)) && chat.texts().some((t) => /^Here is what I can do/.test(t)), 30_000, 'order confirmed to the customer');
    await h.app.bot!.idle();
    const [orders] = await direct.query<RowDataPacket[]>('SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE u.psid = ?', [chat.psid]);
    expect(orders).toHaveLength(1);
    const texts = chat.texts(chat.replies());
    expect(texts.filter((t) => /^✅ Order .* received!/.test(t))).toHaveLength(1);
    expect(texts.filter((t) => /^Here is what I can do/.test(t))).toHaveLength(1);
    expect(texts.filter((t) => /Sorry/.test(t))).toEqual([]);
    expect(await h.app.bot!.deadLetterCount()).toBe(0);
    expect(await metric('quicksell_bot_turn_retries_total')).toBeGreaterThan(0);
    // the maintenance job that failed on the outage was retried, not failed for good
    await eventually(async () => (await maintenance.getJobs(['delayed'])).every((j) => j.attemptsMade === 0), 30_000, 'maintenance retries done');
    expect(await maintenance.getJobs(['failed'])).toEqual([]);
  });
});
