import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIMULATOR_PAGE_ID } from '../../../src/simulator/index.js';
import { startHarness, type Harness } from './simulator-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(() => {
  h.delivered.length = 0;
  h.webhookStatus.value = 200;
});

async function send(body: unknown) {
  const res = await fetch(`${h.baseUrl}/simulator/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, data: (await res.json()) as Record<string, any> };
}

describe('what the shopper does in the simulator reaches /webhook as a signed Messenger event', () => {
  it('posts typed text as a page message event, signed with the app secret', async () => {
    const r = await send({ psid: '7000000000000001', event: { type: 'text', text: 'hello shop' } });
    expect(r).toMatchObject({ status: 200, data: { ok: true, webhookStatus: 200 } });
    expect(h.delivered).toHaveLength(1);
    const d = h.delivered[0]!;
    expect(d.signatureValid).toBe(true);
    expect(d.body.object).toBe('page');
    expect(d.body.entry[0]!.id).toBe(SIMULATOR_PAGE_ID);
    const ev = d.body.entry[0]!.messaging[0]!;
    expect(ev.sender).toEqual({ id: '7000000000000001' });
    expect(ev.recipient).toEqual({ id: SIMULATOR_PAGE_ID });
    expect(typeof ev.timestamp).toBe('number');
    expect(ev.message).toEqual({ mid: r.data.mid, text: 'hello shop' });
  });

  it('posts a quick-reply tap with its payload and a button tap as a postback', async () => {
    await send({ psid: '7000000000000001', event: { type: 'quick_reply', text: 'Confirm', payload: 'ADMIN_CONFIRM:42' } });
    await send({ psid: '7000000000000001', event: { type: 'postback', title: 'Add to cart', payload: 'ADD_TO_CART:3' } });
    const [qr, pb] = h.delivered.map((d) => d.body.entry[0]!.messaging[0]!);
    expect(qr!.message).toMatchObject({ text: 'Confirm', quick_reply: { payload: 'ADMIN_CONFIRM:42' } });
    expect(pb!.postback).toMatchObject({ title: 'Add to cart', payload: 'ADD_TO_CART:3' });
    expect(pb!.postback.mid).toMatch(/^m_/);
    expect(h.delivered.every((d) => d.signatureValid)).toBe(true);
  });

  it('posts a photo as an image attachment URL', async () => {
    await send({ psid: '7000000000000001', event: { type: 'image', url: `${h.baseUrl}/simulator/uploads/x.png` } });
    expect(h.delivered[0]!.body.entry[0]!.messaging[0]!.message.attachments).toEqual([
      { type: 'image', payload: { url: `${h.baseUrl}/simulator/uploads/x.png` } },
    ]);
  });

  it('gives every event its own message id, so the bot can de-duplicate redeliveries', async () => {
    await send({ psid: '7000000000000001', event: { type: 'text', text: 'one' } });
    await send({ psid: '7000000000000001', event: { type: 'text', text: 'one' } });
    const mids = h.delivered.map((d) => d.body.entry[0]!.messaging[0]!.message.mid);
    expect(new Set(mids).size).toBe(2);
  });

  it('refuses a malformed event naming what is wrong, and posts nothing', async () => {
    const empty = await send({ psid: '7000000000000001', event: { type: 'text', text: '   ' } });
    expect(empty.status).toBe(400);
    expect(empty.data.error).toMatch(/event\.text: text must not be empty/);
    const badPsid = await send({ psid: 'no spaces allowed', event: { type: 'text', text: 'hi' } });
    expect(badPsid.status).toBe(400);
    expect(badPsid.data.error).toMatch(/psid/);
    const badUrl = await send({ psid: '7000000000000001', event: { type: 'image', url: 'javascript:alert(1)' } });
    expect(badUrl.status).toBe(400);
    expect(badUrl.data.error).toMatch(/event\.url/);
    expect(h.delivered).toHaveLength(0);
  });

  it('tells the page when the webhook refuses the event', async () => {
    h.webhookStatus.value = 403;
    const r = await send({ psid: '7000000000000002', event: { type: 'text', text: 'hi' } });
    expect(r.status).toBe(502);
    expect(r.data).toMatchObject({ ok: false, webhookStatus: 403 });
    expect(r.data.error).toMatch(/webhook answered 403/);
    await expect.poll(() => h.simulator.hub.history('7000000000000002').map((i) => i.from)).toEqual(['user', 'system']);
  });
});
