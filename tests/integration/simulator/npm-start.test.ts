import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { splitDatabaseUrl, withDatabase } from '../../../src/db/pool.js';
import { freePort } from './free-port.js';
import { testPrefix } from '../../helpers/test-prefix.js';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

/**
 * `npm start` exactly as the README says, as a child process, on a database of its own that does not
 * exist yet (never the `quicksell` database) and a free port, with no Facebook settings at all.
 */
const shared = splitDatabaseUrl(inject('databaseUrl'));
const dbName = `${shared.database}_start_${randomUUID().slice(0, 6)}`;
const queuePrefix = testPrefix('start');

function npmStart(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn('npm', ['start'], {
    cwd: new URL('../../../', import.meta.url),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group, so a test that fails half-way can still stop the server under npm
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const guard = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 90_000);
  void exited.then(() => clearTimeout(guard));
  return { child, output: () => out, exited };
}

async function waitForOutput(output: () => string, pattern: RegExp, exited: Promise<unknown>, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void exited.then(() => (done = true));
  for (;;) {
    const m = output().match(pattern);
    if (m) return m;
    if (done) throw new Error(`npm start exited before printing ${pattern}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`npm start did not print ${pattern} within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

afterAll(async () => {
  // the started server's queues: only this test's own prefix, key by key
  const redis = new Redis(TEST_REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match: `${queuePrefix}*`, count: 500 })) {
      if ((keys as string[]).length) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
  const conn = await mysql.createConnection({ uri: shared.serverUrl });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
  } finally {
    await conn.end();
  }
});

describe('npm start with no Facebook Page token, on a fresh machine', () => {
  it('creates and migrates the database, seeds the demo shop, serves the simulator, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const url = withDatabase(inject('databaseUrl'), dbName);
    const run = npmStart({
      NODE_ENV: 'development',
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      QUEUE_PREFIX: queuePrefix,
      REDIS_URL: TEST_REDIS_URL,
    });
    try {
      const [, simulatorUrl] = await waitForOutput(run.output, /open the Messenger simulator at (\S+)/, run.exited);
      expect(simulatorUrl).toBe(`http://localhost:${port}/simulator`);
      expect(run.output()).toMatch(/applied 001_base\.sql/);

      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const page = await fetch(`http://127.0.0.1:${port}/simulator`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Messenger simulator');

      const conn = await mysql.createConnection({ uri: url });
      try {
        const [products] = await conn.query<RowDataPacket[]>("SELECT image_url FROM products WHERE status = 'active'");
        expect(products).toHaveLength(12);
        const picture = await fetch(new URL(new URL(products[0]!.image_url as string).pathname, `http://127.0.0.1:${port}`));
        expect(picture.headers.get('content-type')).toMatch(/image\/svg/);
        const [promos] = await conn.query<RowDataPacket[]>('SELECT code FROM promo_codes');
        expect(promos.length).toBeGreaterThan(0);
      } finally {
        await conn.end();
      }
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited, run.output()).toBe(0);
  }, 120_000);
});

describe('npm start in production with no Facebook Page token', () => {
  it('refuses to start, naming the missing variable, and starts no simulator', async () => {
    const run = npmStart({ NODE_ENV: 'production', DATABASE_URL: withDatabase(inject('databaseUrl'), dbName), PORT: '0' });
    const code = await run.exited;
    expect(code, run.output()).toBe(1);
    expect(run.output()).toMatch(/FB_PAGE_ACCESS_TOKEN: is required when NODE_ENV=production/);
    expect(run.output()).not.toMatch(/simulator/i);
  }, 60_000);
});
