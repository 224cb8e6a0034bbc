import type { Job } from 'bullmq';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../../src/jobs/index.js';
import { daySummaryText } from '../../../src/bot/messages-admin-catalog.js';
import { events, newPsid, pageBody, postWebhook, startHarness, type Harness } from '../bot/bot-harness.js';
import { eventually, FAST_JOBS, finishedJob, insertNotification, notificationRow, startJobsApp } from './jobs-harness.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';

/**
 * The admins' daily "🧾 Today" push (DAILY_SUMMARY_AT): a job scheduler on the maintenance queue, sent through
 * the notification outbox, only to admins within Messenger's 24-hour window (their last message to the Page,
 * users.last_message_at, stamped by every chat turn).
 */
describe('the daily summary at DAILY_SUMMARY_AT', () => {
  const inWindow = newPsid();
  const outOfWindow = newPsid();
  const neverWrote = newPsid();
  let h: Harness;

  const maintenance = () => h.app.jobs.queues[QUEUES.maintenance];
  const summariesTo = (psid: string) => h.graph.sentTo(psid).filter((m) => m.body.message?.text?.startsWith('🧾 Today'));
  const schedulerJobs = async (): Promise<Job[]> => (await maintenance().getDelayed()).filter((j) => j.repeatJobKey === 'daily-summary');

  /** The admin writes to the Page (a signed webhook, a real turn) and gets the bot's answer. */
  async function adminWrites(psid: string): Promise<void> {
    const before = h.graph.sentTo(psid).length;
    await postWebhook(h.app, pageBody(events.text(psid, 'hi')));
    await h.graph.waitFor(() => h.graph.sentTo(psid).length > before);
  }

  beforeAll(async () => {
    h = await startHarness({
      adminPsids: [inWindow, outOfWindow, neverWrote],
      workers: true,
      overrides: { ...FAST_JOBS, DAILY_SUMMARY_AT: '21:00' },
    });
    await adminWrites(inWindow);
    await adminWrites(outOfWindow);
    // a day and an hour later for this admin: the last message is outside the window now
    await h.app.db.query('UPDATE users SET last_message_at = NOW() - INTERVAL 25 HOUR WHERE psid = ?', [outOfWindow]);
    // something to sum up
    const buyer = await makeUser(h.app.db, { psid: newPsid() });
    const placed = await h.app.orders.createOrder(seedOrderPayload(buyer, await makeProduct(h.app.db, { name: 'Summary Soap', price: 1000, stock: 9 })));
    if (!placed.success) throw new Error(placed.error);
  });
  afterAll(() => h.close());

  it('is one job scheduler at 21:00 in the shop time zone', async () => {
    const scheduler = (await maintenance().getJobSchedulers()).find((s) => s.key === 'daily-summary');
    expect(scheduler?.pattern).toBe('0 21 * * *');
    expect(scheduler?.tz).toBe('Asia/Manila');
    const [next] = await schedulerJobs();
    const due = new Date(next!.opts.prevMillis!);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Manila', hour: '2-digit', minute: '2-digit' }).format(due)).toBe('21:00');
  });

  it('sends the admin menu\'s summary to the admin who wrote today, and not to one outside the 24-hour window', async () => {
    const [scheduled] = await schedulerJobs();
    await scheduled!.promote(); // 21:00 now
    const done = await finishedJob(maintenance(), scheduled!.id!);
    expect(done.failedReason).toBeUndefined();
    expect(done.returnvalue).toMatchObject({ queued: 1, skippedOutsideWindow: 2 });

    await h.graph.waitFor(() => summariesTo(inWindow).length === 1);
    const expected = daySummaryText(await h.app.orders.daySummary(), h.app.config.CURRENCY);
    const [msg] = summariesTo(inWindow);
    expect(msg!.body.message?.text).toBe(expected.text);
    expect(msg!.body.message?.text).toContain('Summary Soap');
    expect(msg!.body.message?.quick_replies?.map((q) => q.title)).toEqual(expected.quick_replies!.map((q) => q.title));
    expect(msg!.body.messaging_type).toBe('UPDATE');
    expect(summariesTo(outOfWindow)).toEqual([]);
    expect(summariesTo(neverWrote)).toEqual([]);
    // the next day's run is scheduled
    expect(await eventually(async () => (await schedulerJobs()).length === 1)).toBe(true);
  });

  it('sends nothing twice when the same run is retried', async () => {
    const slot = Date.now() - 60_000;
    const run = async () => {
      const job = await finishedJob(maintenance(), (await maintenance().add('daily-summary', { task: 'daily-summary' }, { prevMillis: slot })).id!);
      expect(job.failedReason).toBeUndefined();
    };
    const before = summariesTo(inWindow).length;
    await run();
    await h.graph.waitFor(() => summariesTo(inWindow).length === before + 1);
    await run();
    const [rows] = await h.app.db.query<RowDataPacket[]>('SELECT status FROM notification_queue WHERE dedupe_key = ?', [`daily-summary:${slot}:${inWindow}`]);
    expect(rows.map((r) => r.status)).toEqual(['completed']);
    await h.app.jobs.relayOnce();
    expect(summariesTo(inWindow)).toHaveLength(before + 1);
  });

  it('settles a summary row unsent when its admin left the window before it went out', async () => {
    const id = await insertNotification(h.app.db, { type: 'daily_summary', psid: outOfWindow, payload: await h.app.orders.daySummary() });
    await h.app.jobs.publish({ notificationIds: [id], processingIds: [] });
    const row = await eventually(async () => {
      const r = await notificationRow(h.app.db, id);
      return r.status === 'completed' && r;
    });
    expect(row.message_id).toBeNull();
    expect(String(row.last_error)).toMatch(/24 hours/);
    expect(summariesTo(outOfWindow)).toEqual([]);
  });

  it('keeps one scheduler however many processes start, and removes it when the setting is unset', async () => {
    const same = { QUEUE_PREFIX: h.app.config.QUEUE_PREFIX, ADMIN_PSIDS: h.app.config.ADMIN_PSIDS.join(',') };
    const second = await startJobsApp({ ...same, DAILY_SUMMARY_AT: '21:00' }, { databaseUrl: h.app.config.DATABASE_URL, web: false });
    try {
      expect((await maintenance().getJobSchedulers()).filter((s) => s.key === 'daily-summary')).toHaveLength(1);
      expect(await schedulerJobs()).toHaveLength(1);
    } finally {
      await second.close();
    }
    const unset = await startJobsApp(same, { databaseUrl: h.app.config.DATABASE_URL, web: false });
    try {
      expect((await maintenance().getJobSchedulers()).map((s) => s.key)).not.toContain('daily-summary');
      expect(await schedulerJobs()).toEqual([]);
    } finally {
      await unset.close();
    }
  });
});
