import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createSendApi } from '../../../src/bot/send-api.js';
import { createSimulator } from '../../../src/simulator/index.js';
import { startHarness, type Harness } from './simulator-harness.js';
import { openStream } from './sse-client.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ SHOP_NAME: 'Aling Nena Store' });
});
afterAll(async () => h.close());

const sendApi = () => createSendApi({ graphApiUrl: h.simulator.graphApiUrl, graphApiVersion: 'v24.0', pageAccessToken: undefined });

describe('the simulator page', () => {
  it('serves a chat page with its script, styles and a link to the queues dashboard', async () => {
    const page = await fetch(`${h.baseUrl}/simulator`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('/simulator/assets/app.js');
    expect(html).toContain('href="/admin/queues"');
    for (const asset of ['app.js', 'render.js', 'app.css']) {
      const res = await fetch(`${h.baseUrl}/simulator/assets/${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(100);
    }
    expect((await fetch(`${h.baseUrl}/simulator/assets/secrets.txt`)).status).toBe(404);
  });

  it("tells the page the shop's name, the admin PSID and Get Started / menu as the bot set them", async () => {
    const before = (await (await fetch(`${h.baseUrl}/simulator/session`)).json()) as Record<string, any>;
    expect(before).toMatchObject({ shopName: 'Aling Nena Store', adminPsid: '9000000000000001', dashboardUrl: '/admin/queues' });
    await sendApi().setProfile({
      get_started: { payload: 'START' },
      persistent_menu: [{ locale: 'default', call_to_actions: [{ type: 'postback', title: 'Shop', payload: 'MENU_SHOP' }] }],
    });
    const after = (await (await fetch(`${h.baseUrl}/simulator/session`)).json()) as Record<string, any>;
    expect(after.getStarted).toEqual({ title: 'Get Started', payload: 'START' });
    expect(after.menu).toEqual([{ type: 'postback', title: 'Shop', payload: 'MENU_SHOP' }]);
  });

  it("gives the admin pane the admin's own menu, as the app set it through the Custom User Settings API", async () => {
    const before = (await (await fetch(`${h.baseUrl}/simulator/session`)).json()) as Record<string, any>;
    expect(before.adminMenu.map((m: { title: string }) => m.title)).toEqual(['📋 Pending orders', '➕ Add product', '📦 Stock', '🧾 Today']);
    const own = (psid: string, title: string) => ({ psid, persistent_menu: [{ locale: 'default', call_to_actions: [{ type: 'postback', title, payload: 'X' }] }] });
    await sendApi().setUserSettings(own('7000000000000002', 'Someone else'));
    await sendApi().setUserSettings(own('9000000000000001', 'Only this'));
    const after = (await (await fetch(`${h.baseUrl}/simulator/session`)).json()) as Record<string, any>;
    expect(after.adminMenu).toEqual([{ type: 'postback', title: 'Only this', payload: 'X' }]);
    expect(after.menu.map((m: { title: string }) => m.title)).not.toContain('Only this');
  });

  it('serves each demo product picture as SVG and 404s an unknown one', async () => {
    const res = await fetch(`${h.baseUrl}/simulator/images/denim-jacket.svg`);
    expect(res.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(await res.text()).toMatch(/^<svg/);
    expect((await fetch(`${h.baseUrl}/simulator/images/nothing.svg`)).status).toBe(404);
  });
});

describe('what the bot sends through the Send API reaches the page over Server-Sent Events', () => {
  it('streams each message to the conversation of its recipient only', async () => {
    const mine = await openStream(`${h.baseUrl}/simulator/events?psid=7100000000000001`);
    const other = await openStream(`${h.baseUrl}/simulator/events?psid=7100000000000002`);
    try {
      const sent = await sendApi().send({
        recipient: { id: '7100000000000001' },
        message: { text: 'Pick one', quick_replies: [{ content_type: 'text', title: 'Shop', payload: 'SHOP' }] },
      });
      const item = await mine.waitFor((i) => i.from === 'page');
      expect(item).toMatchObject({
        from: 'page',
        message_id: sent.message_id,
        request: { recipient: { id: '7100000000000001' }, message: { text: 'Pick one', quick_replies: [{ payload: 'SHOP' }] } },
      });
      await sendApi().send({ recipient: { id: '7100000000000002' }, message: { text: 'for the other one' } });
      await other.waitFor((i) => i.from === 'page');
      expect(other.items).toHaveLength(1);
      expect(mine.items).toHaveLength(1);
    } finally {
      mine.close();
      other.close();
    }
  });

  it('replays the conversation so far to a page that reconnects or reloads', async () => {
    const psid = '7100000000000003';
    await sendApi().send({ recipient: { id: psid }, message: { text: 'first' } });
    await expect.poll(() => h.simulator.hub.history(psid).length).toBe(1);
    await fetch(`${h.baseUrl}/simulator/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ psid, event: { type: 'text', text: 'second' } }),
    });
    await sendApi().send({ recipient: { id: psid }, sender_action: 'typing_on' });
    const stream = await openStream(`${h.baseUrl}/simulator/events?psid=${psid}`);
    try {
      await stream.waitFor((i) => (i.request as any)?.sender_action === 'typing_on');
      expect(stream.items.map((i) => i.from)).toEqual(['page', 'user', 'page']);
      const ids = stream.items.map((i) => i.id as number);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    } finally {
      stream.close();
    }
  });

  it('tells a reconnecting page whether the server restarted (item ids start again after a restart)', async () => {
    const other = await startHarness();
    const a = await openStream(`${h.baseUrl}/simulator/events?psid=7100000000000004`);
    const b = await openStream(`${h.baseUrl}/simulator/events?psid=7100000000000005`);
    const c = await openStream(`${other.baseUrl}/simulator/events?psid=7100000000000004`);
    try {
      await sendApi().send({ recipient: { id: '7100000000000004' }, message: { text: 'x' } });
      await a.waitFor(() => true);
      expect(a.boot()).toMatch(/^[0-9a-f-]{36}$/);
      expect(b.boot()).toBe(a.boot());
      expect(c.boot()).not.toBe(a.boot());
    } finally {
      [a, b, c].forEach((s) => s.close());
      await other.close();
    }
  });

  it('refuses a stream without a valid PSID', async () => {
    const res = await fetch(`${h.baseUrl}/simulator/events?psid=${encodeURIComponent('<script>')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/psid/);
  });
});

describe('photos the shopper sends', () => {
  // the smallest valid PNG: 1x1 transparent pixel
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
    'base64',
  );
  const upload = (body: Buffer, type = 'image/png') =>
    fetch(`${h.baseUrl}/simulator/upload`, { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(body) });

  it('are stored and served back from a URL on this server', async () => {
    const res = await upload(png);
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(new RegExp(`^${h.baseUrl}/simulator/uploads/[0-9a-f-]{36}\\.png$`));
    const back = await fetch(url);
    expect(back.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await back.arrayBuffer()).equals(png)).toBe(true);
  });

  it('are refused when the bytes are not an image, whatever the header says', async () => {
    const res = await upload(Buffer.from('#!/bin/sh\necho not a photo\n'), 'image/png');
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toMatch(/PNG, JPEG, GIF or WebP/);
  });

  it('are refused above 5 MB', async () => {
    const big = Buffer.concat([png, Buffer.alloc(5 * 1024 * 1024 + 10)]);
    const res = await upload(big);
    expect(res.status).toBe(413);
  });

  it('cannot be read outside the upload folder', async () => {
    expect((await fetch(`${h.baseUrl}/simulator/uploads/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await fetch(`${h.baseUrl}/simulator/uploads/00000000-0000-0000-0000-000000000000.png`)).status).toBe(404);
  });
});

describe('shutting the server down', () => {
  it('ends open event streams instead of waiting for the browser to leave', async () => {
    const own = await startHarness();
    const stream = await openStream(`${own.baseUrl}/simulator/events?psid=7100000000000009`);
    await own.close();
    await stream.ended;
    expect(own.simulator.hub.streamCount()).toBe(0);
  });
});

describe('with web and worker in separate processes (ROLE=web, ROLE=worker)', () => {
  it("shows on the web process's page what the worker process sent through its own fake Graph API", async () => {
    const worker = await createSimulator({ config: h.config, logger: pino({ level: 'silent' }) });
    const stream = await openStream(`${h.baseUrl}/simulator/events?psid=7100000000000010`);
    try {
      const fromWorker = createSendApi({ graphApiUrl: worker.graphApiUrl, graphApiVersion: 'v24.0', pageAccessToken: undefined });
      await fromWorker.send({ recipient: { id: '7100000000000010' }, message: { text: '✅ Order ORD-1 received! Total: ₱1.00' } });
      const item = await stream.waitFor((i) => i.from === 'page');
      expect(item.request).toMatchObject({ message: { text: '✅ Order ORD-1 received! Total: ₱1.00' } });
      // the worker process keeps it too, once (its own hub also listens)
      await expect.poll(() => worker.hub.history('7100000000000010').length).toBe(1);
      expect(h.simulator.hub.history('7100000000000010')).toHaveLength(1);
    } finally {
      stream.close();
      await worker.close();
    }
  });

  it('shows on a second web process what the shopper did on the first', async () => {
    const second = await startHarness({ QUEUE_PREFIX: h.config.QUEUE_PREFIX });
    const stream = await openStream(`${second.baseUrl}/simulator/events?psid=7100000000000011`);
    try {
      await fetch(`${h.baseUrl}/simulator/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ psid: '7100000000000011', event: { type: 'text', text: 'hello from tab one' } }),
      });
      const item = await stream.waitFor((i) => i.from === 'user');
      expect(item.event).toEqual({ type: 'text', text: 'hello from tab one' });
    } finally {
      stream.close();
      await second.close();
    }
  });
});
