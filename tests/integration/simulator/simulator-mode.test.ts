import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../../src/app.js';
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
    expect(app.simulator!.hub.history(psid)).toEqual([expect.objectContaining({ from: 'page', request: expect.objectContaining({ message: { text: 'from the app' } }) })]);
  });

  it('signs with the local app secret the webhook checks', () => {
    expect(app.config.FB_APP_SECRET).toBe('quicksell-simulator-secret');
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
