import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('runs on a fresh machine with no environment at all', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe('mysql://root@127.0.0.1:3306/quicksell');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.PORT).toBe(3000);
    expect(c.SHOP_TIMEZONE).toBe('Asia/Manila');
    expect(c.QUEUE_PREFIX).toBe('{quicksell}');
    expect(c.simulatorEnabled).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'postgres://x/y'],
    ['REDIS_URL', 'localhost:6379'],
    ['SHOP_TIMEZONE', 'Mars/Olympus'],
    ['API_RATE_LIMIT', '-1'],
    ['GRAPH_API_VERSION', '24'],
    ['ROLE', 'both'],
  ])('stops start-up with a message naming %s when it is %j', (key, value) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrow(new RegExp(`${key}:`));
  });

  it('refuses production without the Page token, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', FB_APP_SECRET: 's', FB_VERIFY_TOKEN: 'v' })).toThrow(/FB_PAGE_ACCESS_TOKEN/);
  });

  it('turns the simulator off when a Page token is configured', () => {
    const c = loadConfig({ FB_PAGE_ACCESS_TOKEN: 'tok', FB_APP_SECRET: 's', FB_VERIFY_TOKEN: 'v' });
    expect(c.simulatorEnabled).toBe(false);
    expect(c.FB_APP_SECRET).toBe('s');
  });

  it('reads comma-separated admin PSIDs', () => {
    expect(loadConfig({ ADMIN_PSIDS: ' 111, 222 ,' }).ADMIN_PSIDS).toEqual(['111', '222']);
  });
});
