import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds, QUEUES } from '../../../src/jobs/index.js';
import type { RecordedMessage } from '../../../src/simulator/fake-graph.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { childRows, eventually, finishedJob, insertNotification, lowStockPayload, notificationRow, startJobsApp, uniquePsid, type JobsTestApp } from './jobs-harness.js';

describe('admin broadcast rows', () => {
  let t: JobsTestApp;
  const configPsid = uniquePsid('cfg-admin');
  let tablePsid: string;

  beforeAll(async () => {
    t = await startJobsApp({ ADMIN_PSIDS: configPsid });
    tablePsid = uniquePsid('tbl-admin');
    await t.app.admins.create('Alerts test admin', tablePsid);
  });
  afterAll(() => t.close());

  it('fans a low-stock alert out to every admin (table and ADMIN_PSIDS), one message each', async () => {
    const id = await insertNotification(t.db, { type: 'low_stock', payload: lowStockPayload('Alert Rice') });
    await t.app.jobs.publish({ notificationIds: [id], processingIds: [] });

    const alertTo = (psid: string) => t.graph.sentTo(psid).filter((m) => m.body.message?.text?.includes('Alert Rice'));
    await t.graph.waitFor(() => alertTo(configPsid).length >= 1 && alertTo(tablePsid).length >= 1);
    for (const psid of [configPsid, tablePsid]) {
      const msgs = alertTo(psid);
      expect(msgs).toHaveLength(1);
      expect(msgs[0]?.body.message?.text).toBe('⚠️ Low stock: Alert Rice — 2 left (alert at 5). Time to restock.');
      expect(msgs[0]?.body.messaging_type).toBe('UPDATE');
    }
    const children = await eventually(async () => {
      const rows = await childRows(t.db, id);
      return rows.filter((r) => r.recipient_psid === configPsid || r.recipient_psid === tablePsid).every((r) => r.status === 'completed') && rows;
    });
    const mine = children.filter((r) => r.recipient_psid === configPsid || r.recipient_psid === tablePsid);
    expect(mine).toHaveLength(2);
    for (const c of mine) expect(String(c.message_id)).toMatch(/^m_fake_/);
    expect((await notificationRow(t.db, id)).status).toBe('completed');
  });

  it("fans a new order's alert out on its own queue: every job the rate-limited queue runs is a message sent", async () => {
    const customer = uniquePsid('fan-customer');
    const product = await makeProduct(t.db, { stock: 10, name: 'Fan-out Rice' });
    const placed = await t.app.orders.createOrder(seedOrderPayload(await makeUser(t.db, { psid: customer }), product));
    if (!placed.success) throw new Error(placed.error);
    const rowsOf = async () =>
      (await t.db.query<RowDataPacket[]>('SELECT id, parent_id, recipient_psid, status, message_id FROM notification_queue WHERE order_id = ? ORDER BY id', [placed.order.id]))[0];
    const all = await eventually(async () => {
      const r = await rowsOf();
      return r.length === 4 && r.every((x) => x.status === 'completed') && r;
    });
    const broadcast = all.find((r) => r.recipient_psid === null)!;
    const sends = all.filter((r) => r.recipient_psid !== null);
    expect(sends.map((r) => r.recipient_psid).sort()).toEqual([customer, configPsid, tablePsid].sort());
    const limited = t.app.jobs.queues[QUEUES.notifications];
    for (const r of sends) {
      expect((await finishedJob(limited, jobIds.notification(Number(r.id)))).returnvalue).toMatchObject({ sent: r.message_id });
    }
    // the fan-out ran outside the limiter (SEND_API_RATE_PER_SECOND): it sends nothing, so it takes no slot
    expect((await finishedJob(t.app.jobs.queues[QUEUES.fanOut], jobIds.notification(Number(broadcast.id)))).returnvalue).toEqual({ fannedOut: 2 });
    expect(await limited.getJob(jobIds.notification(Number(broadcast.id)))).toBeUndefined();
  });

  it('sends a row that is not a broadcast but was published as one, once, from the rate-limited queue', async () => {
    const id = await insertNotification(t.db, { type: 'low_stock', psid: configPsid, payload: lowStockPayload('Stray Rice') });
    await t.app.jobs.publish({ notificationIds: [], broadcastIds: [id], processingIds: [] });
    const moved = await finishedJob(t.app.jobs.queues[QUEUES.fanOut], jobIds.notification(id));
    expect(moved.returnvalue).toEqual({ skipped: 'not a broadcast: moved to the notifications queue' });
    const sent = await finishedJob(t.app.jobs.queues[QUEUES.notifications], jobIds.notification(id));
    expect(sent.returnvalue).toMatchObject({ sent: expect.stringMatching(/^m_fake_/) });
    expect(t.graph.sentTo(configPsid).filter((m) => m.body.message?.text?.includes('Stray Rice'))).toHaveLength(1);
    expect(await childRows(t.db, id)).toEqual([]);
  });

  it('adds no second job and no second message when the same row is published again', async () => {
    const id = await insertNotification(t.db, { type: 'low_stock', payload: lowStockPayload('Twice Rice') });
    await t.app.jobs.publish({ notificationIds: [id], processingIds: [] });
    await t.graph.waitFor(() => t.graph.sentTo(configPsid).some((m) => m.body.message?.text?.includes('Twice Rice')));
    await eventually(async () => (await notificationRow(t.db, id)).status === 'completed');

    await t.app.jobs.publish({ notificationIds: [id], processingIds: [] });
    await t.app.jobs.relayOnce();
    const job = await finishedJob(t.app.jobs.queues[QUEUES.notifications], jobIds.notification(id));
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsStarted).toBe(1);
    // a later alert still arrives, and the earlier one was not sent again before it
    const later = await insertNotification(t.db, { type: 'low_stock', payload: lowStockPayload('Later Rice') });
    await t.app.jobs.publish({ notificationIds: [later], processingIds: [] });
    await t.graph.waitFor(() => t.graph.sentTo(configPsid).some((m) => m.body.message?.text?.includes('Later Rice')));
    expect(t.graph.sentTo(configPsid).filter((m) => m.body.message?.text?.includes('Twice Rice'))).toHaveLength(1);
  });

  it('publishes rows nobody published (a trigger row, or a crash after commit) through the relay', async () => {
    const id = await insertNotification(t.db, { type: 'low_stock', payload: lowStockPayload('Relayed Rice') });
    await t.graph.waitFor(() => t.graph.sentTo(tablePsid).some((m) => m.body.message?.text?.includes('Relayed Rice')));
    const row = await eventually(async () => {
      const r = await notificationRow(t.db, id);
      return r.status === 'completed' && r;
    });
    expect(row.published_at).not.toBeNull();
    expect(await t.app.jobs.queues[QUEUES.fanOut].getJob(jobIds.notification(id))).toBeDefined();
  });
});

describe('when shoppers and admins wait for the Send API rate limit together', () => {
  let t: JobsTestApp;
  const admins = [uniquePsid('prio-admin'), uniquePsid('prio-admin')];
  beforeAll(async () => {
    t = await startJobsApp({ ADMIN_PSIDS: admins.join(','), NOTIFICATION_CONCURRENCY: '1' });
  });
  afterAll(() => t.close());

  it("sends the shopper's receipt before the admins' alerts that were waiting before it", async () => {
    const limited = t.app.jobs.queues[QUEUES.notifications];
    await limited.pause(); // a backlog builds up, as when the limiter holds the sends back
    try {
      const alert = await insertNotification(t.db, { type: 'low_stock', payload: lowStockPayload('Queue Rice') });
      await t.app.jobs.publish({ notificationIds: [], broadcastIds: [alert], processingIds: [] });
      // the fan-out ran outside the paused queue: both admins' alerts wait there, added first
      const children = await eventually(async () => {
        const rows = await childRows(t.db, alert);
        return rows.length === 2 && rows.every((r) => r.published_at !== null) && rows;
      });
      const shopper = uniquePsid('prio-shopper');
      const placed = await t.app.orders.createOrder(seedOrderPayload(await makeUser(t.db, { psid: shopper }), await makeProduct(t.db, { stock: 5 })));
      if (!placed.success) throw new Error(placed.error);
      const receipt = await eventually(async () => {
        const [r] = (await t.db.query<RowDataPacket[]>("SELECT id, published_at FROM notification_queue WHERE order_id = ? AND recipient_psid = ?", [placed.order.id, shopper]))[0];
        return r?.published_at && Number(r.id);
      });
      expect(Math.min(...children.map((c) => Number(c.id)))).toBeLessThan(receipt);
    } finally {
      await limited.resume();
    }
    const who = (m: RecordedMessage) => {
      const to = 'id' in m.body.recipient ? m.body.recipient.id : '';
      return admins.includes(to) ? 'admin' : to.startsWith('prio-shopper') ? 'shopper' : 'other';
    };
    const sent = await t.graph.waitFor(
      (msgs) => msgs.some((m) => who(m) === 'shopper') && msgs.filter((m) => who(m) === 'admin' && m.body.message?.text?.includes('Queue Rice')).length === 2,
    );
    const order = sent.map(who).filter((w) => w !== 'other');
    // one worker, one job at a time: the receipt first, then the alerts that were queued before it
    expect(order[0]).toBe('shopper');
    expect(order.indexOf('admin')).toBeGreaterThan(order.lastIndexOf('shopper'));
  });
});

describe('the outbox relay after a long outage', () => {
  it('publishes a backlog larger than one batch in a single pass', async () => {
    const t = await startJobsApp({}, { workers: false });
    try {
      const values = Array.from({ length: 1200 }, (_, i) => ['admin', `backlog-${i}`, 'low_stock', '{}']);
      await t.db.query('INSERT INTO notification_queue (recipient_type, recipient_psid, notification_type, payload) VALUES ?', [values]);
      expect(await t.app.jobs.relayOnce()).toEqual({ notifications: 1200, processing: 0 });
      const [rows] = await t.db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM notification_queue WHERE published_at IS NULL');
      expect(Number(rows[0]?.n)).toBe(0);
      expect(await t.app.jobs.queues[QUEUES.notifications].getJobCountByTypes('waiting')).toBe(1200);
      expect(await t.app.jobs.relayOnce()).toEqual({ notifications: 0, processing: 0 });
    } finally {
      await t.close();
    }
  });
});
