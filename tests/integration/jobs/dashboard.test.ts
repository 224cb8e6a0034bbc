import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds, QUEUES } from '../../../src/jobs/index.js';
import { eventually, insertNotification, lowStockPayload, notificationRow, startJobsApp, uniquePsid, type JobsTestApp } from './jobs-harness.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the queue dashboard at /admin/queues', () => {
  let t: JobsTestApp;
  let key: string;
  beforeAll(async () => {
    t = await startJobsApp();
    key = (await t.app.admins.create('Dashboard operator')).key;
  });
  afterAll(() => t.close());

  const get = (url: string, authorization?: string) =>
    t.app.http!.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

  it('answers 401 with a Basic challenge without credentials or with a wrong key', async () => {
    for (const auth of [undefined, basic('admin', 'qs_not-a-real-key'), `Bearer ${key}`]) {
      const res = await get('/admin/queues', auth);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
      expect(res.body).not.toContain(key);
    }
    expect((await get('/admin/queues/api/queues')).statusCode).toBe(401);
  });

  it('shows the dashboard to an admin key as the password, whatever the user name', async () => {
    const res = await get('/admin/queues', basic('whoever', key));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const api = await get('/admin/queues/api/queues', basic('ops', key));
    expect(api.statusCode).toBe(200);
    const names = (api.json() as { queues: Array<{ name: string }> }).queues.map((q) => q.name);
    for (const q of Object.values(QUEUES)) expect(names).toContain(q);
  });

  it("serves the dashboard's own scripts and styles (through @fastify/static)", async () => {
    const page = await get('/admin/queues', basic('ops', key));
    // the page names them relative to its <base href="/admin/queues/">
    const assets = [...page.body.matchAll(/(?:src|href)="(static\/[^"]+\.(?:js|css))"/g)].map((m) => `/admin/queues/${m[1]}`);
    expect(assets.length).toBeGreaterThan(0);
    for (const url of assets) {
      const res = await get(url, basic('ops', key));
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/javascript|css/);
      expect(res.body.length, url).toBeGreaterThan(0);
    }
  });

  it('lists a failed job with its reason and retries it from the dashboard', async () => {
    const psid = uniquePsid('dash');
    t.graph.failNext({ status: 400, error: { code: 551, message: 'This person isn\'t available right now.' } });
    const id = await insertNotification(t.db, { type: 'low_stock', psid, payload: lowStockPayload('Dash Rice') });
    await t.app.jobs.publish({ notificationIds: [id], processingIds: [] });
    await eventually(async () => (await notificationRow(t.db, id)).status === 'failed');

    const jobId = jobIds.notification(id);
    const listed = await eventually(async () => {
      const res = await get(`/admin/queues/api/queues?activeQueue=${QUEUES.notifications}&status=failed`, basic('ops', key));
      const q = (res.json() as { queues: Array<{ name: string; jobs: Array<{ id: string; failedReason: string }> }> }).queues.find(
        (x) => x.name === QUEUES.notifications,
      );
      return q?.jobs.find((j) => j.id === jobId);
    });
    expect(listed.failedReason).toContain('Graph code 551');

    const retry = await t.app.http!.inject({
      method: 'PUT',
      url: `/admin/queues/api/queues/${QUEUES.notifications}/${jobId}/retry`,
      headers: { authorization: basic('ops', key) },
    });
    expect(retry.statusCode).toBeLessThan(300);
    await t.graph.waitFor(() => t.graph.sentTo(psid).length === 1);
    const row = await eventually(async () => {
      const r = await notificationRow(t.db, id);
      return r.status === 'completed' && r;
    });
    expect(row.message_id).toBe(t.graph.sentTo(psid)[0]?.message_id);
  });

  it('reports job counts per queue', async () => {
    const counts = await t.app.jobs.queueCounts();
    expect(Object.keys(counts).sort()).toEqual(Object.values(QUEUES).sort());
    expect(counts[QUEUES.notifications]).toHaveProperty('failed');
  });
});
