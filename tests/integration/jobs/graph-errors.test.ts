import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds, QUEUES } from '../../../src/jobs/index.js';
import { eventually, insertNotification, lowStockPayload, notificationRow, startJobsApp, uniquePsid, finishedJob, type JobsTestApp } from './jobs-harness.js';

/** A row addressed to one admin PSID, sent through the real worker to the fake Graph API. */
describe('Graph API errors while sending', () => {
  let t: JobsTestApp;
  beforeAll(async () => {
    t = await startJobsApp();
  });
  afterAll(() => t.close());

  async function sendOne(name: string) {
    const psid = uniquePsid('err');
    const id = await insertNotification(t.db, { type: 'low_stock', psid, payload: lowStockPayload(name) });
    return { psid, id };
  }
  const publish = (id: number) => t.app.jobs.publish({ notificationIds: [id], processingIds: [] });
  /** The job once BullMQ has finished it (the row is marked a moment before the job is). */
  const finishedJobOf = (id: number) => finishedJob(t.app.jobs.queues[QUEUES.notifications], jobIds.notification(id));
  const settled = (id: number) =>
    eventually(async () => {
      const r = await notificationRow(t.db, id);
      return (r.status === 'completed' || r.status === 'failed') && r;
    });

  it('retries a temporary error (code 2) and then sends the message once', async () => {
    // The failure is scripted before the row exists: the relay may publish a new row at once.
    t.graph.failNext({ status: 503, error: { code: 2, message: 'Service temporarily unavailable' } });
    const { psid, id } = await sendOne('Temp Rice');
    await publish(id);
    const row = await settled(id);
    expect(row.status).toBe('completed');
    expect(row.attempts).toBe(2);
    expect(t.graph.sentTo(psid)).toHaveLength(1);
    const finished = await finishedJobOf(id);
    expect(await finished.getState()).toBe('completed');
    // two runs of the job: the failed try and the one that succeeded. attemptsStarted, not attemptsMade:
    // on a loaded machine BullMQ may count the failed try as a stall (lock lost while it was failing),
    // which re-runs the job without adding to attemptsMade; the row's attempts (2) and the single
    // message above are what the test is about.
    expect(finished.attemptsStarted).toBe(2);
  });

  it('does not resend when the connection broke after the request reached Graph: delivery unknown', async () => {
    t.graph.failNext({ status: 0, drop: true });
    const { psid, id } = await sendOne('Net Rice');
    await publish(id);
    const row = await eventually(async () => {
      const r = await notificationRow(t.db, id);
      return r.status === 'unknown' && r;
    });
    expect(row.attempts).toBe(1);
    expect(row.last_error).toContain('delivery of part 1 unknown');
    const j = await finishedJobOf(id);
    expect(await j.getState()).toBe('failed'); // visible on the dashboard; a retry there is the operator's call
    expect(j.attemptsMade).toBe(1);
    expect(t.graph.sentTo(psid)).toHaveLength(0); // the fake Graph dropped it; a real one may have delivered it
  });

  it('fails a permanent error (no such user, 100/2018001) at once and the row says why', async () => {
    t.graph.failNext({ status: 400, error: { code: 100, error_subcode: 2018001, message: 'No matching user found' } });
    const { psid, id } = await sendOne('Gone Rice');
    await publish(id);
    const row = await settled(id);
    expect(row.status).toBe('failed');
    expect(row.last_error).toBe('Graph code 100/2018001: No matching user found');
    expect(row.attempts).toBe(1);
    expect(row.message_id).toBeNull();
    const j = await finishedJobOf(id);
    expect(await j.getState()).toBe('failed');
    expect(j.attemptsMade).toBe(1);
    expect(j.failedReason).toContain('2018001');
    expect(t.graph.sentTo(psid)).toHaveLength(0);
  });

  it('does not retry a message outside the messaging window (10/2018278) or a bad token (190)', async () => {
    t.graph.failNext({ status: 400, error: { code: 10, error_subcode: 2018278, message: 'Message sent outside of allowed window' } });
    const a = await sendOne('Window Rice');
    await publish(a.id);
    expect((await settled(a.id)).last_error).toContain('code 10/2018278');
    t.graph.failNext({ status: 401, error: { code: 190, message: 'Invalid OAuth access token' } });
    const b = await sendOne('Token Rice');
    await publish(b.id);
    const row = await settled(b.id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(t.graph.sentTo(a.psid).length + t.graph.sentTo(b.psid).length).toBe(0);
  });

  it('marks the row failed with the last error when every attempt failed', async () => {
    t.graph.failNext({ status: 500, error: { code: 1, message: 'An unknown error occurred' } }, Number(t.config.JOB_ATTEMPTS));
    const { psid, id } = await sendOne('Down Rice');
    await publish(id);
    const row = await settled(id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(t.config.JOB_ATTEMPTS);
    expect(row.last_error).toBe('Graph code 1: An unknown error occurred');
    expect(t.graph.sentTo(psid)).toHaveLength(0);
  });

  it('backs the whole queue off on a rate limit (613) without using up an attempt, then sends', async () => {
    t.graph.failNext({ status: 400, error: { code: 613, message: 'Calls to this api have exceeded the rate limit.' } });
    const { psid, id } = await sendOne('Busy Rice');
    await publish(id);
    const row = await settled(id);
    expect(row.status).toBe('completed');
    expect(row.last_error).toContain('code 613');
    expect(t.graph.sentTo(psid)).toHaveLength(1);
    expect((await finishedJobOf(id)).attemptsMade).toBe(1); // only the try that succeeded counts
  });
});
