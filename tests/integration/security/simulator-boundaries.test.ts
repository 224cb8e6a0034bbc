import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { signBody } from '../../../src/bot/signature.js';
import { simulatorBanner } from '../../../src/simulator/banner.js';
import { testConfig } from '../../helpers/test-config.js';

/**
 * Finding 1 of the security audit: the simulator ran beside a real Page token, showed the real admin
 * PSID and signed anonymous posts with the real app secret. Now it never runs with a Page token, never
 * uses or shows a configured secret or PSID, and leaves loopback only when asked to, with a warning.
 */
const REAL_SECRET = 'real-app-secret-from-facebook';
const REAL_VERIFY = 'real-verify-token';
const REAL_ADMIN = '1234567890123456';

describe('start-up', () => {
  it('refuses SIMULATOR=on with a Page token, naming both variables', () => {
    const env = { SIMULATOR: 'on', FB_PAGE_ACCESS_TOKEN: 'EAAG-real-token', FB_APP_SECRET: REAL_SECRET, FB_VERIFY_TOKEN: REAL_VERIFY };
    expect(() => loadConfig(env)).toThrow(/SIMULATOR: .*FB_PAGE_ACCESS_TOKEN/);
    expect(loadConfig({ ...env, SIMULATOR: 'auto' }).simulatorEnabled).toBe(false);
  });

  it('refuses a non-loopback HOST in simulator mode unless SIMULATOR_PUBLIC=true, naming both', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/HOST: 0\.0\.0\.0 .*SIMULATOR_PUBLIC=true/);
    expect(() => loadConfig({ HOST: '192.168.1.20', SIMULATOR: 'on' })).toThrow(/SIMULATOR_PUBLIC/);
    expect(loadConfig({ HOST: '127.0.0.1' }).HOST).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0', SIMULATOR_PUBLIC: 'true' }).HOST).toBe('0.0.0.0');
    // with a Page token there is no simulator, and any HOST is fine
    expect(loadConfig({ HOST: '0.0.0.0', FB_PAGE_ACCESS_TOKEN: 't', FB_APP_SECRET: 's', FB_VERIFY_TOKEN: 'v' }).HOST).toBe('0.0.0.0');
  });

  it('warns that the page has no login when the simulator listens beyond loopback, and says nothing about it with a Page token', () => {
    expect(simulatorBanner(loadConfig({ HOST: '0.0.0.0', SIMULATOR_PUBLIC: 'true' })).warning).toMatch(/no login/);
    expect(simulatorBanner(loadConfig({})).warning).toBeNull();
    const page = simulatorBanner(loadConfig({ FB_PAGE_ACCESS_TOKEN: 't', FB_APP_SECRET: 's', FB_VERIFY_TOKEN: 'v' }));
    expect(page).toEqual({ info: null, warning: null });
  });

  it('gives the simulator a secret of its own, never the configured app secret or verify token', () => {
    const a = loadConfig({ FB_APP_SECRET: REAL_SECRET, FB_VERIFY_TOKEN: REAL_VERIFY });
    expect(a.simulatorEnabled).toBe(true);
    expect(a.FB_APP_SECRET).not.toBe(REAL_SECRET);
    expect(a.FB_VERIFY_TOKEN).not.toBe(REAL_VERIFY);
    expect(a.FB_APP_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(loadConfig({}).FB_APP_SECRET).not.toBe(a.FB_APP_SECRET);
  });
});

describe('a running simulator with real-looking secrets and admin PSIDs configured', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildApp(
      testConfig({ SIMULATOR: 'auto', FB_APP_SECRET: REAL_SECRET, FB_VERIFY_TOKEN: REAL_VERIFY, ADMIN_PSIDS: REAL_ADMIN }),
      { workers: false },
    );
  });
  afterAll(async () => app?.close());

  it("never shows a configured admin's PSID on its session", async () => {
    const res = await app.http!.inject({ method: 'GET', url: '/simulator/session' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(REAL_ADMIN);
    expect(res.json().adminPsid).not.toBe(REAL_ADMIN);
  });

  it("refuses to chat as, or listen to, a configured admin's PSID", async () => {
    const send = await app.http!.inject({
      method: 'POST',
      url: '/simulator/send',
      payload: { psid: REAL_ADMIN, event: { type: 'quick_reply', text: 'Confirm', payload: 'ADMIN_CONFIRM:1' } },
    });
    expect(send.statusCode).toBe(403);
    const events = await app.http!.inject({ method: 'GET', url: `/simulator/events?psid=${REAL_ADMIN}` });
    expect(events.statusCode).toBe(403);
  });

  it('signs with its own secret: a body signed with the configured secret is refused, its own posts are taken', async () => {
    const body = JSON.stringify({ object: 'page', entry: [] });
    const forged = await app.http!.inject({
      method: 'POST',
      url: '/webhook',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, REAL_SECRET) },
      payload: body,
    });
    expect(forged.statusCode).toBe(403);
    const own = await app.http!.inject({
      method: 'POST',
      url: '/simulator/send',
      payload: { psid: '7300000000000001', event: { type: 'text', text: 'hi' } },
    });
    expect(own.json()).toMatchObject({ ok: true, webhookStatus: 200 });
    const verify = await app.http!.inject({ method: 'GET', url: `/webhook?hub.mode=subscribe&hub.verify_token=${REAL_VERIFY}&hub.challenge=42` });
    expect(verify.statusCode).toBe(403);
  });
});
