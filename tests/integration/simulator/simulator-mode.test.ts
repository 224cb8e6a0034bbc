import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { testConfig } from '../../helpers/test-config.js';

const ROUTES = [
  ['GET', '/simulator'],
  ['GET', '/simulator/'],
  ['GET', '/simulator/session'],
  ['GET', '/simulator/assets/app.js'],
  ['GET', '/simulator/events?psid=7200000000000001'],
  ['GET', '/simulator/images/denim-jacket.svg'],
  ['POST', '/simulator/send'],
  ['POST', '/simulator/upload'],
] as const;

describe('with no Page token (simulator mode)', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildApp(testConfig({ SIMULATOR: 'auto' }), { workers: false });
  });
  afterAll(async () => app.close());

  it('serves the simulator page on the app itself', async () => {
    const res = await app.http!.inject({ method: 'GET', url: '/simulator' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Messenger simulator');
  });

  it("points the app's Send API client at the built-in fake Graph API, whose messages reach the page's stream", async () => {
    const psid = '7200000000000002';
    await app.sendApi.send({ recipient: { id: psid }, message: { text: 'from the app' } });
    expect(app.simulator!.fakeGraph.sentTo(psid).map((m) => m.body.message?.text)).toEqual(['from the app']);
    await expect.poll(() => app.simulator!.hub.history(psid)).toEqual([expect.objectContaining({ from: 'page', request: expect.objectContaining({ message: { text: 'from the app' } }) })]);
  });

  it("delivers a tap on Get Started through the bot's signature check, and the bot's answer reaches the page", async () => {
    const psid = '7200000000000003';
    const res = await app.http!.inject({
      method: 'POST',
      url: '/simulator/send',
      payload: { psid, event: { type: 'postback', title: 'Get Started', payload: 'GET_STARTED' } },
    });
    expect(res.json()).toMatchObject({ ok: true, webhookStatus: 200 });
    await app.simulator!.fakeGraph.waitFor((msgs) => msgs.some((m) => m.psid === psid && m.body.message?.text));
    await expect.poll(() => app.simulator!.hub.history(psid).filter((i) => i.from === 'page' && i.request.message).length).toBeGreaterThan(0);
  });

  it('shows the Get Started button and persistent menu the bot defines', async () => {
    const session = (await app.http!.inject({ method: 'GET', url: '/simulator/session' })).json();
    expect(session.getStarted.payload).toBe('GET_STARTED');
    expect(session.menu.map((m: { payload: string }) => m.payload)).toEqual(expect.arrayContaining(['SHOP', 'CART']));
  });
});

describe('with a real Page token', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildApp(
      testConfig({ SIMULATOR: 'auto', FB_PAGE_ACCESS_TOKEN: 'EAAG-real-token', FB_APP_SECRET: 'real-secret', FB_VERIFY_TOKEN: 'verify' }),
      { workers: false },
    );
  });
  afterAll(async () => app.close());

  it('builds no simulator', () => {
    expect(app.config.simulatorEnabled).toBe(false);
    expect(app.simulator).toBeNull();
  });

  it.each(ROUTES)('has no %s %s route', async (method, url) => {
    const res = await app.http!.inject({ method, url, payload: method === 'POST' ? {} : undefined });
    expect(res.statusCode).toBe(404);
  });
});

describe('in production', () => {
  const real = { NODE_ENV: 'production', FB_PAGE_ACCESS_TOKEN: 'EAAG-real', FB_APP_SECRET: 's', FB_VERIFY_TOKEN: 'v' };

  it('never runs the simulator, even when SIMULATOR=on asks for it', () => {
    expect(loadConfig(real).simulatorEnabled).toBe(false);
    expect(() => loadConfig({ ...real, SIMULATOR: 'on' })).toThrow(/SIMULATOR: cannot be on when NODE_ENV=production/);
  });
});
