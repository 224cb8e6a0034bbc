import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from '../../../src/simulator/fake-graph.js';
import { createSendApi } from '../../../src/bot/send-api.js';
import { createTurnSends } from '../../../src/bot/send-once.js';
import { MessengerAdapter } from '../../../src/bot/messenger-adapter.js';
import { QuickSellBotkit } from '../../../src/bot/botkit-fixes.js';
import { createGuards } from '../../../src/bot/safe.js';
import type { InboundEvent } from '../../../src/bot/events.js';
import { newPsid } from './bot-harness.js';

/**
 * Handlers of every kind (interrupts, hears, on) behind the guards, in QuickSell's Botkit: a bug gets the
 * apology and the turn ends normally; an outage leaves the turn with its original error (code intact), so
 * that the turn runner keeps the event and runs the turn again.
 */
let graph: FakeGraph;
let controller: QuickSellBotkit;
let adapter: MessengerAdapter;
let failure: Error = new Error('unset');
beforeAll(async () => {
  graph = await startFakeGraph();
  adapter = new MessengerAdapter(createTurnSends(createSendApi({ graphApiUrl: graph.url, graphApiVersion: 'v24.0', pageAccessToken: 't' }), undefined));
  controller = new QuickSellBotkit({ adapter, disable_webserver: true, disable_console: true });
  const guard = createGuards(pino({ level: 'silent' }));
  const fail = guard.handler(async () => {
    throw failure;
  });
  controller.interrupts(async (m) => m.text === 'interrupt', 'message', fail);
  controller.hears(/^hear$/, 'message', fail);
  controller.on('message', fail);
});
afterAll(() => graph.close());

const turn = (psid: string, text: string) => {
  const ev: InboundEvent = { kind: 'text', psid, pageId: 'PAGE', timestamp: Date.now(), dedupeKey: `m:${psid}:${text}`, text, payload: null, attachments: [] };
  return adapter.processEvent(ev, {}, (ctx) => controller.handleTurn(ctx));
};

describe.each(['interrupt', 'hear', 'anything else'])('a guarded handler (%s)', (text) => {
  it('rethrows an outage with its code, and says nothing', async () => {
    const psid = newPsid();
    failure = Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
    await expect(turn(psid, text)).rejects.toMatchObject({ code: 'PROTOCOL_CONNECTION_LOST' });
    expect(graph.sentTo(psid)).toEqual([]);
  });

  it('apologises for a bug and ends the turn normally', async () => {
    const psid = newPsid();
    failure = new TypeError("Cannot read properties of undefined (reading 'id')");
    await turn(psid, text);
    expect(graph.sentTo(psid).map((m) => m.body.message?.text)).toEqual([expect.stringMatching(/^Sorry, something went wrong/)]);
  });
});
