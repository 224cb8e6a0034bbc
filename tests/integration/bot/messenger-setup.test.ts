import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from '../../../src/simulator/fake-graph.js';

const run = promisify(execFile);
let graph: FakeGraph;
beforeAll(async () => {
  graph = await startFakeGraph();
});
afterAll(async () => {
  await graph?.close();
});

describe('npm run messenger:setup', () => {
  it('sets Get Started, the greeting and the Shop / Cart / My orders / Help menu through the Messenger Profile API', async () => {
    const { stdout } = await run('npx', ['tsx', 'src/bot/messenger-setup.ts'], {
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: inject('databaseUrl'), ADMIN_PSIDS: '1111,2222', GRAPH_API_URL: graph.url, FB_PAGE_ACCESS_TOKEN: 'setup-test-token', SHOP_NAME: 'Tindahan' },
    });
    expect(stdout).toMatch(/Messenger profile set/);
    expect(stdout).not.toContain('setup-test-token');
    const profile = graph.profiles.at(-1) as {
      get_started: { payload: string };
      greeting: Array<{ text: string }>;
      persistent_menu: Array<{ call_to_actions: Array<{ title: string; payload: string }> }>;
    };
    expect(profile.get_started.payload).toBe('GET_STARTED');
    expect(profile.greeting[0]!.text).toContain('Tindahan');
    expect(profile.persistent_menu[0]!.call_to_actions.map((a) => a.payload)).toEqual(['SHOP', 'CART', 'MY_ORDERS', 'HELP', 'TALK_TO_PERSON']);
    // and every admin their own menu
    const admins = graph.userSettings.map((u) => (u as { psid: string }).psid);
    expect(admins).toEqual(expect.arrayContaining(['1111', '2222']));
    expect(JSON.stringify(graph.userSettings[0])).toContain('ADMIN_ADD_PRODUCT');
  });

  it('exits 1 with the Graph failure, and no token, when Graph cannot be reached', async () => {
    const err = await run('npx', ['tsx', 'src/bot/messenger-setup.ts'], {
      env: { ...process.env, NODE_ENV: 'test', GRAPH_API_URL: 'http://127.0.0.1:9', FB_PAGE_ACCESS_TOKEN: 'setup-test-token' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/Messenger setup failed: Graph HTTP 0: network error/);
    expect((err as { stderr: string }).stderr).not.toContain('setup-test-token');
    graph.reset();
  });
});
