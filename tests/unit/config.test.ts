import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { ConfigError, configSchema, loadConfig } from '../../src/config.js';
import { parseClusterUrl } from '../../src/db/redis-url.js';
import { dailySummaryCron } from '../../src/jobs/daily-summary.js';

const ROOT = new URL('../../', import.meta.url);
/** The operating system's variables, passed on to child processes and the browser: not ours to document. */
const OS_VARIABLES = new Set(['PATH', 'HOME', 'LD_LIBRARY_PATH', 'TMPDIR']);

/** Every variable the .ts/.js files under `dir` read from process.env (dotted or bracketed). */
function variablesReadUnder(dir: string, pattern = /process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g): Set<string> {
  const found = new Set<string>();
  for (const file of readdirSync(new URL(dir, ROOT), { recursive: true }) as string[]) {
    if (!/\.(ts|js)$/.test(file)) continue;
    for (const m of readFileSync(new URL(`${dir}${file}`, ROOT), 'utf8').matchAll(pattern)) found.add(m[1] ?? m[2] ?? m[0]);
  }
  return found;
}

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

  describe('on a Redis Cluster', () => {
    it('takes the cluster from REDIS_URL=redis+cluster://host:port,host:port', () => {
      const c = loadConfig({ REDIS_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7001' });
      expect(c.REDIS_URL).toBe('redis+cluster://10.0.0.1:7000,10.0.0.2:7001');
      expect(parseClusterUrl(c.REDIS_URL)).toEqual({ nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }], username: undefined, password: undefined, tls: false });
    });

    it("takes the seeds from REDIS_CLUSTER_NODES with REDIS_URL's password and TLS", () => {
      const c = loadConfig({ REDIS_URL: 'rediss://:s3cret@ignored:6379', REDIS_CLUSTER_NODES: 'a.example:7000, b.example:7001' });
      expect(c.REDIS_URL).toBe('rediss+cluster://:s3cret@a.example:7000,b.example:7001');
      expect(parseClusterUrl(c.REDIS_URL)).toMatchObject({ password: 's3cret', tls: true, nodes: [{ host: 'a.example', port: 7000 }, { host: 'b.example', port: 7001 }] });
    });

    it('refuses a queue prefix without a {hash tag}, since multi-key scripts must stay in one slot', () => {
      expect(() => loadConfig({ REDIS_URL: 'redis+cluster://h:7000', QUEUE_PREFIX: 'quicksell' })).toThrow(/QUEUE_PREFIX: must contain a \{hash tag\}/);
      expect(loadConfig({ REDIS_URL: 'redis://h:6379', QUEUE_PREFIX: 'quicksell' }).QUEUE_PREFIX).toBe('quicksell');
    });

    it('names the bad node of a cluster list', () => {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'h:7000,nohostport' })).toThrow(/REDIS_CLUSTER_NODES: cluster node 'nohostport' must look like host:port/);
      expect(() => loadConfig({ REDIS_URL: 'redis+cluster://h:99999' })).toThrow(/REDIS_URL: cluster node/);
    });
  });

  it('refuses a shop time zone MariaDB cannot use for its sessions', () => {
    expect(() => loadConfig({ SHOP_TIMEZONE: 'Pacific/Kiritimati' })).toThrow(/SHOP_TIMEZONE: is beyond UTC\+13:00/);
    expect(loadConfig({ SHOP_TIMEZONE: 'Pacific/Tongatapu' }).SHOP_TIMEZONE).toBe('Pacific/Tongatapu');
  });

  it.each(['America/New_York', 'Europe/Berlin', 'Pacific/Auckland', 'Australia/Sydney'])(
    'refuses %s, a zone with daylight saving, naming SHOP_TIMEZONE and a zone that would work',
    (zone) => {
      expect(() => loadConfig({ SHOP_TIMEZONE: zone })).toThrow(ConfigError);
      expect(() => loadConfig({ SHOP_TIMEZONE: zone })).toThrow(new RegExp(`SHOP_TIMEZONE: ${zone} changes its UTC offset .*daylight saving.*Etc/GMT[+-]\\d+`));
    },
  );

  it.each(['Asia/Manila', 'UTC', 'Etc/GMT+5', 'Asia/Kolkata', 'Asia/Tokyo'])('accepts %s, whose offset never changes', (zone) => {
    expect(loadConfig({ SHOP_TIMEZONE: zone }).SHOP_TIMEZONE).toBe(zone);
  });

  it('refuses production without the Page token, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', FB_APP_SECRET: 's', FB_VERIFY_TOKEN: 'v' })).toThrow(/FB_PAGE_ACCESS_TOKEN/);
  });

  it('turns the simulator off when a Page token is configured', () => {
    const c = loadConfig({ FB_PAGE_ACCESS_TOKEN: 'tok', FB_APP_SECRET: 's', FB_VERIFY_TOKEN: 'v' });
    expect(c.simulatorEnabled).toBe(false);
    expect(c.FB_APP_SECRET).toBe('s');
  });

  it('treats an empty value, as copied from .env.example, as unset', () => {
    const c = loadConfig({ PUBLIC_URL: '', HOST: '', PORT: '', ADMIN_API_KEY: '' });
    expect(c.PORT).toBe(3000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.ADMIN_API_KEY).toBeUndefined();
  });

  it('listens on loopback only in simulator mode unless HOST is set', () => {
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0', SIMULATOR_PUBLIC: 'true' }).HOST).toBe('0.0.0.0');
    expect(loadConfig({ FB_PAGE_ACCESS_TOKEN: 't', FB_APP_SECRET: 's', FB_VERIFY_TOKEN: 'v' }).HOST).toBe('0.0.0.0');
  });

  describe('DAILY_SUMMARY_AT', () => {
    it('is off when unset or empty', () => {
      expect(loadConfig({}).DAILY_SUMMARY_AT).toBeUndefined();
      expect(loadConfig({ DAILY_SUMMARY_AT: '' }).DAILY_SUMMARY_AT).toBeUndefined();
    });

    it.each([
      ['21:00', '21:00', '0 21 * * *'],
      ['9:05', '09:05', '5 9 * * *'],
      ['00:00', '00:00', '0 0 * * *'],
    ])('takes %j as %j (cron %j in the shop time zone)', (given, time, cron) => {
      const at = loadConfig({ DAILY_SUMMARY_AT: given }).DAILY_SUMMARY_AT!;
      expect(at).toBe(time);
      expect(dailySummaryCron(at)).toBe(cron);
    });

    it.each(['24:00', '21:60', '9pm', '2100', '21:00:00', '0 21 * * *'])('stops start-up on %j with a message naming it and the format', (value) => {
      expect(() => loadConfig({ DAILY_SUMMARY_AT: value })).toThrow(/DAILY_SUMMARY_AT: must be a time of day as HH:MM, 24-hour, in SHOP_TIMEZONE \(e\.g\. 21:00\)/);
    });
  });

  it('reads comma-separated admin PSIDs', () => {
    expect(loadConfig({ ADMIN_PSIDS: ' 111, 222 ,' }).ADMIN_PSIDS).toEqual(['111', '222']);
  });

  it('.env.example lists every variable src/ and tests/ read, each with a comment, and loads as it is', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const lines = text.split('\n');
    const env: Record<string, string> = {};
    lines.forEach((line, i) => {
      const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
      if (!m) return;
      env[m[1]!] = m[2]!;
      expect(lines.slice(0, i).reverse().find((l) => !/^[A-Z0-9_]+=/.test(l)), `${m[1]} has a comment above it`).toMatch(/^#/);
    });
    const keys = Object.keys(configSchema.shape ?? (configSchema as unknown as { in: { shape: object } }).in.shape);
    // the config schema's keys, and every other variable src/ or tests/ read (test-only ones included)
    const read = [...variablesReadUnder('src/'), ...variablesReadUnder('tests/')].filter((v) => !OS_VARIABLES.has(v));
    expect(read).toContain('TEST_MYSQL_URL'); // the scan itself works
    expect(Object.keys(env).sort()).toEqual([...new Set([...keys, ...read])].sort());
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('bench/README.md documents every BENCH_* variable the benches read', () => {
    const readme = readFileSync(new URL('bench/README.md', ROOT), 'utf8');
    const read = [...variablesReadUnder('bench/', /\bBENCH_[A-Z0-9_]+/g)];
    expect(read.length).toBeGreaterThan(0);
    for (const v of read) expect(readme, `${v} in bench/README.md`).toContain(`\`${v}\``);
  });
});
