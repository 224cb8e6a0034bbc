import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomInt } from 'node:crypto';
import { inject } from 'vitest';
import { createPool, type Db } from '../../../src/db/pool.js';
import { createAdminService } from '../../../src/admins/admin-service.js';
import { startFakeGraph } from '../../../src/simulator/fake-graph.js';

const run = promisify(execFile);
let extraEnv: Record<string, string> = {};

/** `npm run admin -- …` is `tsx src/http/admin-cli.ts …`; it runs here against the test database. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, DATABASE_URL: inject('databaseUrl'), LOG_LEVEL: 'silent', ...extraEnv };
  try {
    const { stdout } = await run('node_modules/.bin/tsx', ['src/http/admin-cli.ts', ...args], { env });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

// Each call starts a tsx process: slow on a busy machine, hence the longer timeout.
describe('npm run admin', { timeout: 120_000 }, () => {
  let db: Db;
  beforeAll(() => {
    db = createPool({ url: inject('databaseUrl'), timeZone: 'Asia/Manila', connectionLimit: 2 });
  });
  afterAll(async () => db.end());

  it('add prints a working key once; list shows only its prefix; revoke stops it at once', async () => {
    const admins = createAdminService(db, { ADMIN_PSIDS: [] });
    const psid = String(randomInt(1e9, 9e9));
    const name = `cli-admin-${psid}`;
    const added = await cli('add', '--name', name, '--psid', psid);
    expect(added.code).toBe(0);
    const key = /API key \(shown once, store it now\): (\S+)/.exec(added.out)?.[1] ?? '';
    const id = Number(/admin #(\d+)/.exec(added.out)?.[1]);
    expect(await admins.verifyKey(key)).toEqual({ id, name, psid });
    expect(await admins.findByPsid(psid)).toMatchObject({ id, name });

    const listed = await cli('list');
    const line = listed.out.split('\n').find((l) => l.includes(name)) ?? '';
    expect(line).toContain('active');
    expect(line).toContain(key.slice(0, 10));
    expect(listed.out).not.toContain(key);

    expect((await cli('revoke', String(id))).code).toBe(0);
    expect(await admins.verifyKey(key)).toBeNull();
    expect((await cli('list')).out.split('\n').find((l) => l.includes(name))).toContain('revoked');
  });

  it('refuses a missing name, an unknown command and revoking nobody, with usage and a non-zero exit', async () => {
    const cases = [['add'], ['frobnicate'], ['revoke', '999999999'], ['revoke', 'abc']];
    const results = await Promise.all(cases.map((args) => cli(...args)));
    results.forEach((res, i) => {
      expect(res.code, cases[i]?.join(' ')).toBe(2);
      expect(res.out).toContain('usage:');
    });
  });

  it('add --psid gives the new admin their own Messenger menu (Custom User Settings API)', async () => {
    const graph = await startFakeGraph();
    extraEnv = { GRAPH_API_URL: graph.url, FB_PAGE_ACCESS_TOKEN: 'cli-test-token' };
    try {
      const psid = String(randomInt(1e9, 9e9));
      const added = await cli('add', '--name', `menu-admin-${psid}`, '--psid', psid);
      expect(added.out).toMatch(/Admin menu \(Pending orders \/ Add product \/ Stock \/ Today\) set/);
      const set = graph.userSettings.at(-1) as { psid: string; persistent_menu: Array<{ call_to_actions: Array<{ title: string; payload: string }> }> };
      expect(set.psid).toBe(psid);
      expect(set.persistent_menu[0]!.call_to_actions.map((a) => a.title)).toEqual(['📋 Pending orders', '➕ Add product', '📦 Stock', '🧾 Today']);
    } finally {
      extraEnv = {};
      await graph.close();
    }
  });
});
