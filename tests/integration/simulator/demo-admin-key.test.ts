import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { buildApp, type App } from '../../../src/app.js';
import { prepareDemo, type DemoSetup } from '../../../src/simulator/demo-mode.js';
import { simulatorBanner } from '../../../src/simulator/banner.js';
import { testConfig } from '../../helpers/test-config.js';
import { ownDatabase } from './own-database.js';

/** The queues dashboard in demo mode: a demo admin key only without a Page token, shown on the banner and the page. */
const basic = (password: string) => `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}`;
const dashboard = (app: App, key: string) => app.http!.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: basic(key) } });

describe('with no Page token (simulator mode)', () => {
  let database: Awaited<ReturnType<typeof ownDatabase>>;
  let app: App;
  let demo: DemoSetup;
  beforeAll(async () => {
    database = await ownDatabase();
    app = await buildApp(testConfig({ SIMULATOR: 'auto', DEMO_SEED: 'true', DATABASE_URL: database.url }), { workers: false });
    demo = await prepareDemo({ ...app, servesPages: true });
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('creates a random demo admin key of at least 32 characters that opens the queues dashboard', async () => {
    expect(demo.seeded?.products).toBe(12);
    const key = demo.demoAdminKey!;
    expect(key.length).toBeGreaterThanOrEqual(32);
    expect((await dashboard(app, key)).statusCode).toBe(200);
    expect((await dashboard(app, `${key}x`)).statusCode).toBe(401);
  });

  it('prints it on the start-up banner and shows it on the simulator page to a visitor on this machine only', async () => {
    const key = demo.demoAdminKey!;
    expect(simulatorBanner(app.config, key).info).toContain(`${app.config.publicUrl}/simulator`);
    expect(simulatorBanner(app.config, key).info).toContain(`${app.config.publicUrl}/admin/queues (any user name, password: ${key})`);
    const local = await app.http!.inject({ method: 'GET', url: '/simulator/session', remoteAddress: '127.0.0.1' });
    expect(local.json().demoAdminKey).toBe(key);
    const remote = await app.http!.inject({ method: 'GET', url: '/simulator/session', remoteAddress: '203.0.113.7', headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(remote.statusCode).toBe(200);
    expect(remote.json()).not.toHaveProperty('demoAdminKey');
  });

  it('replaces the key on the next start: only the newest one works', async () => {
    const before = demo.demoAdminKey!;
    const next = await prepareDemo({ ...app, servesPages: true });
    expect(next.demoAdminKey).not.toBe(before);
    expect((await dashboard(app, before)).statusCode).toBe(401);
    expect((await dashboard(app, next.demoAdminKey!)).statusCode).toBe(200);
    const [rows] = await app.db.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM admins WHERE key_prefix = 'qs_demo'");
    expect(Number(rows[0]!.n)).toBe(1);
    demo = next;
  });

  it('issues no key in a process that serves no page (a worker)', async () => {
    expect((await prepareDemo({ ...app, servesPages: false })).demoAdminKey).toBeNull();
  });
});

describe('with a Page token', () => {
  it('has no demo key: none is created, and one left by an earlier demo run stops working', async () => {
    const database = await ownDatabase();
    const demoApp = await buildApp(testConfig({ SIMULATOR: 'auto', DATABASE_URL: database.url }), { workers: false });
    const old = (await prepareDemo({ ...demoApp, servesPages: true })).demoAdminKey!;
    await demoApp.close();

    const app = await buildApp(
      testConfig({ SIMULATOR: 'auto', DATABASE_URL: database.url, FB_PAGE_ACCESS_TOKEN: 'page-token', FB_APP_SECRET: 's', FB_VERIFY_TOKEN: 'v' }),
      { workers: false },
    );
    try {
      expect(app.simulator).toBeNull();
      const setup = await prepareDemo({ ...app, servesPages: true });
      expect(setup).toEqual({ seeded: null, demoAdminKey: null });
      expect((await dashboard(app, old)).statusCode).toBe(401);
      expect((await app.http!.inject({ method: 'GET', url: '/simulator/session' })).statusCode).toBe(404);
      const [rows] = await app.db.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM admins WHERE key_prefix = 'qs_demo' AND revoked_at IS NULL");
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      await app.close();
      await database.drop();
    }
  });
});
