import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Chat, events, newPsid, pageBody, postWebhook, startHarness, VERIFY_TOKEN, type Harness } from './bot-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('the webhook subscription check', () => {
  it('answers the challenge for the right verify token and 403 otherwise', async () => {
    const ok = await h.app.http!.inject({ url: `/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=12345` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('12345');
    const bad = await h.app.http!.inject({ url: '/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=12345' });
    expect(bad.statusCode).toBe(403);
  });
});

describe('when a webhook post is not signed by Messenger', () => {
  it('answers 403 to a missing or forged signature and processes nothing', async () => {
    const psid = newPsid();
    const body = pageBody(events.postback(psid, 'Get Started', 'GET_STARTED'));
    expect((await postWebhook(h.app, body, null)).statusCode).toBe(403);
    expect((await postWebhook(h.app, body, 'sha256=' + '0'.repeat(64))).statusCode).toBe(403);
    expect((await postWebhook(h.app, body, 'sha1=abcdef')).statusCode).toBe(403);
    await h.app.bot!.idle();
    expect(h.graph.sentTo(psid)).toEqual([]);
    const [rows] = await h.app.db.query<RowDataPacket[]>('SELECT id FROM users WHERE psid = ?', [psid]);
    expect(rows).toEqual([]);
  });
});

describe('a first contact', () => {
  it('creates the user by PSID with a placeholder name, stamps last_message_at and greets with the menu', async () => {
    const chat = new Chat(h);
    await chat.postback('GET_STARTED', 'Get Started');
    const [rows] = await h.app.db.query<RowDataPacket[]>('SELECT name, last_message_at FROM users WHERE psid = ?', [chat.psid]);
    expect(rows[0]!.name).toBe('Messenger customer');
    expect(rows[0]!.last_message_at).not.toBeNull();
    expect(chat.lastText()).toMatch(/Welcome to/);
    expect(chat.all().at(-1)!.body.message!.quick_replies!.map((q) => q.payload)).toEqual(['SHOP', 'CART', 'MY_ORDERS', 'HELP']);
  });
});

describe('a returning customer', () => {
  it('gets last_message_at stamped again, so the 24-hour window reopens', async () => {
    const chat = new Chat(h);
    await chat.postback('HELP');
    await h.app.db.query('UPDATE users SET last_message_at = CURRENT_TIMESTAMP - INTERVAL 2 DAY WHERE psid = ?', [chat.psid]);
    await chat.say('hello');
    const [rows] = await h.app.db.query<RowDataPacket[]>(
      'SELECT last_message_at > CURRENT_TIMESTAMP - INTERVAL 1 MINUTE AS fresh, COUNT(*) OVER () AS n FROM users WHERE psid = ?',
      [chat.psid],
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.fresh)).toBe(1);
  });
});

describe('a referral (m.me link or ad)', () => {
  it('greets the shopper with the menu', async () => {
    const chat = new Chat(h);
    await chat.send({ sender: { id: chat.psid }, recipient: { id: 'PAGE' }, timestamp: Date.now(), referral: { ref: 'summer-sale', source: 'SHORTLINK', type: 'OPEN_THREAD' } });
    expect(chat.lastText()).toMatch(/Welcome to/);
  });
});

describe('when Messenger redelivers an event', () => {
  it('answers a message or postback only once', async () => {
    const chat = new Chat(h);
    const msg = events.text(chat.psid, 'help');
    const pb = events.postback(chat.psid, 'Help', 'HELP');
    for (let i = 0; i < 3; i++) {
      expect((await postWebhook(h.app, pageBody(msg, pb))).statusCode).toBe(200);
    }
    expect((await postWebhook(h.app, pageBody(msg))).statusCode).toBe(200);
    await h.app.bot!.idle();
    expect(chat.texts().filter((t) => t.startsWith('Here is what I can do'))).toHaveLength(2);
  });
});

describe('events that are not a customer turn', () => {
  it('ignores echoes, delivery and read receipts, standby entries and unknown kinds without error', async () => {
    const psid = newPsid();
    const from = { sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: Date.now() };
    const body = {
      object: 'page',
      entry: [
        {
          id: 'PAGE',
          time: Date.now(),
          messaging: [
            { ...from, message: { mid: `echo-${psid}`, text: 'we said this', is_echo: true } },
            { ...from, delivery: { mids: ['x'], watermark: 1 } },
            { ...from, read: { watermark: 1 } },
            { ...from, game_play: { score: 1 } },
          ],
        },
        { id: 'PAGE', time: Date.now(), standby: [{ ...from, message: { mid: `sb-${psid}`, text: 'handover' } }] },
      ],
    };
    expect((await postWebhook(h.app, body)).statusCode).toBe(200);
    await h.app.bot!.idle();
    expect(h.graph.sentTo(psid)).toEqual([]);
  });
});

describe('when a turn is slow', () => {
  it('answers the webhook before the turn has finished', async () => {
    const chat = new Chat(h);
    h.graph.setDelay(1500);
    try {
      const res = await postWebhook(h.app, pageBody(events.postback(chat.psid, 'Help', 'HELP')));
      expect(res.statusCode).toBe(200);
      expect(h.graph.sentTo(chat.psid)).toEqual([]); // the reply is still on its way
      await h.graph.waitFor(() => h.graph.sentTo(chat.psid).length > 0);
    } finally {
      h.graph.setDelay(0);
    }
    await h.app.bot!.idle();
  });
});

describe('turns of one user', () => {
  it('never run concurrently and keep arrival order, across two web processes', async () => {
    const other = await startHarness({ graph: h.graph, queuePrefix: h.app.config.QUEUE_PREFIX });
    try {
      const chat = new Chat(h);
      h.graph.setDelay(30);
      const sent: string[] = [];
      for (let i = 0; i < 8; i++) {
        const payload = i % 2 ? 'HELP' : 'MENU';
        sent.push(payload);
        const app = i % 2 ? other.app : h.app;
        expect((await postWebhook(app, pageBody(events.postback(chat.psid, payload, payload)))).statusCode).toBe(200);
      }
      await h.graph.waitFor(() => h.graph.sentTo(chat.psid).length >= 8, 20_000);
      await Promise.all([h.app.bot!.idle(), other.app.bot!.idle()]);
      const kinds = chat.texts().map((t) => (t.startsWith('Here is what') ? 'HELP' : 'MENU'));
      expect(kinds).toEqual(sent);
    } finally {
      h.graph.setDelay(0);
      await other.close();
    }
  });
});

describe('when a process died holding a user’s turn lock', () => {
  it('drains that user’s queued events once the lock expires', async () => {
    const chat = new Chat(h);
    // what a killed process leaves behind: its lock on this user, expiring on its own
    await h.app.redis.set(`${h.app.config.QUEUE_PREFIX}:bot:lock:${chat.psid}`, 'dead-process', 'PX', 1500);
    expect((await postWebhook(h.app, pageBody(events.postback(chat.psid, 'Help', 'HELP')))).statusCode).toBe(200);
    await h.app.bot!.idle();
    expect(h.graph.sentTo(chat.psid)).toEqual([]); // locked out for now
    await h.graph.waitFor(() => h.graph.sentTo(chat.psid).length > 0, 15_000);
    expect(chat.lastText()).toMatch(/^Here is what I can do/);
  });
});

describe('when a handler throws', () => {
  it('tells the user sorry, and the next message works', async () => {
    const chat = new Chat(h);
    // a permanent Graph refusal: not an outage, so the turn fails fast with an apology
    h.graph.failNext({ status: 400, error: { message: 'Invalid parameter', code: 100 } });
    await chat.postback('MENU');
    expect(chat.lastText()).toMatch(/^Sorry, something went wrong/);
    await chat.postback('HELP');
    expect(chat.lastText()).toMatch(/^Here is what I can do/);
  });

  it('runs the turn again when Graph said "try again" (code 2), and the user gets the answer, no apology', async () => {
    const chat = new Chat(h);
    h.graph.failNext({ status: 500, error: { message: 'Service temporarily unavailable', code: 2 } });
    await postWebhook(h.app, pageBody(events.postback(chat.psid, 'Help', 'HELP')));
    await h.graph.waitFor(() => h.graph.sentTo(chat.psid).length > 0, 15_000);
    await h.app.bot!.idle();
    expect(chat.texts()).toHaveLength(1);
    expect(chat.lastText()).toMatch(/^Here is what I can do/);
  });
});
