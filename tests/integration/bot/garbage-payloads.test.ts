import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Chat, events, newPsid, startHarness, type Harness } from './bot-harness.js';
import { shopRoutes } from '../../../src/bot/handlers/shop.js';
import { checkoutRoutes } from '../../../src/bot/handlers/checkout.js';
import { orderRoutes } from '../../../src/bot/handlers/orders.js';
import { adminRoutes } from '../../../src/bot/handlers/admin.js';
import { APOLOGY } from '../../../src/bot/safe.js';
import type { BotServices } from '../../../src/bot/turn.js';

/**
 * Every payload the bot understands, with arguments a forged, truncated or outdated button could carry.
 * Each must get an answer (never silence) that is not the "something went wrong" apology of a crash.
 */
const GARBAGE_ARGS = ['', 'abc', '-1', '0', '1.5', '99999999999999999999', 'abc:xyz', '12:abc', ':::', 'DROP TABLE orders'];

/** The route names the bot registers (the handlers' tables only close over their services: nothing runs). */
const ROUTE_NAMES = Object.keys({
  ...shopRoutes({} as BotServices),
  ...checkoutRoutes({} as BotServices),
  ...orderRoutes({} as BotServices),
  ...adminRoutes({} as BotServices),
}).sort();
// payloads handled outside the route table: answers to a question, and a name the bot does not know
const OTHER_NAMES = ['ANSWER', 'NO_SUCH_PAYLOAD'];

let h: Harness;
const ADMIN = newPsid();
beforeAll(async () => {
  h = await startHarness({ adminPsids: [ADMIN] });
});
afterAll(async () => h?.close());

async function answersTo(chat: Chat, payload: string, as: 'postback' | 'quick reply'): Promise<string[]> {
  chat.replies();
  await chat.send(as === 'postback' ? events.postback(chat.psid, 'Tap', payload) : events.quickReply(chat.psid, 'Tap', payload));
  return chat.replies().map((m) => m.body.message?.text ?? (m.body.message?.attachment ? '[attachment]' : ''));
}

describe('a payload whose argument is garbage', () => {
  it('covers every route the bot registers', () => {
    expect(ROUTE_NAMES.length).toBeGreaterThan(25);
    expect(ROUTE_NAMES).toEqual(expect.arrayContaining(['QTY_OTHER', 'SETQTY_OTHER', 'CATEGORY', 'CATEGORY_PAGE', 'OTHER_PRODUCTS', 'ADMIN_CONFIRM']));
  });

  describe.each([
    ['a customer', () => new Chat(h)],
    ['an admin', () => new Chat(h, ADMIN)],
  ])('from %s', (_who, chatOf) => {
    it.each([...ROUTE_NAMES, ...OTHER_NAMES])('%s gets an answer for every garbage argument, never silence or a crash', async (name) => {
      const chat = chatOf();
      for (const arg of GARBAGE_ARGS) {
        for (const as of ['postback', 'quick reply'] as const) {
          const payload = arg === '' ? `${name}:` : `${name}:${arg}`;
          const said = await answersTo(chat, payload, as);
          expect(said.filter(Boolean), `${payload} as a ${as}`).not.toEqual([]);
          expect(said, `${payload} as a ${as}`).not.toContain(APOLOGY.text);
        }
      }
    });
  });

  it('names what went wrong for QTY_OTHER:abc and SETQTY_OTHER: instead of saying nothing', async () => {
    const chat = new Chat(h);
    expect(await answersTo(chat, 'QTY_OTHER:abc', 'postback')).toEqual(['Sorry, that button is out of date. Here is the menu:']);
    expect(await answersTo(chat, 'SETQTY_OTHER:', 'postback')).toEqual(['Sorry, that button is out of date. Here is the menu:']);
    expect(await answersTo(chat, 'QTY_OTHER:987654321', 'postback')).toEqual(['Sorry, that product is no longer available.']);
  });
});

describe('a payload the bot cannot use', () => {
  it('leaves a log line naming it (QTY_OTHER:abc, SETQTY_OTHER:, an unknown name)', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const logged = await startHarness({ logger: pino({ level: 'info' }, sink) });
    try {
      const chat = new Chat(logged);
      for (const payload of ['QTY_OTHER:abc', 'SETQTY_OTHER:', 'NO_SUCH_PAYLOAD:1']) await chat.postback(payload);
      const mine = lines.filter((l) => l.psid === chat.psid).map((l) => [l.msg, l.payload]);
      expect(mine).toEqual([
        ['payload with an unusable argument', 'QTY_OTHER:abc'],
        ['payload with an unusable argument', 'SETQTY_OTHER:'],
        ['unknown payload; answered with help', 'NO_SUCH_PAYLOAD:1'],
      ]);
    } finally {
      await logged.close();
    }
  });
});
