import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnContext } from 'botbuilder';
import { startFakeGraph, type FakeGraph } from '../../../src/simulator/fake-graph.js';
import { createSendApi, GraphError } from '../../../src/bot/send-api.js';
import { createTurnSends } from '../../../src/bot/send-once.js';
import { MessengerAdapter, toActivity } from '../../../src/bot/messenger-adapter.js';

let graph: FakeGraph;
let adapter: MessengerAdapter;
beforeAll(async () => {
  graph = await startFakeGraph();
  adapter = new MessengerAdapter(createTurnSends(createSendApi({ graphApiUrl: graph.url, graphApiVersion: 'v24.0', pageAccessToken: 'secret-page-token' }), undefined));
});
afterAll(async () => {
  await graph?.close();
});

const contextFor = (psid: string) =>
  new TurnContext(adapter, toActivity({ kind: 'text', psid, pageId: 'PAGE', timestamp: Date.now(), dedupeKey: 'm:x', text: 'hi', payload: null, attachments: [] }));

describe('the Messenger adapter sending through the Send API client', () => {
  it('surfaces a Graph error with its code and subcode, and never the token', async () => {
    graph.failNext({ status: 400, error: { message: 'This person isn’t available right now.', code: 551, error_subcode: 1545041 } });
    const err = await contextFor('psid-adapter-1').sendActivity({ type: 'message', text: 'hello' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ code: 551, subcode: 1545041, isTemporary: false });
    expect((err as GraphError).reason).toBe('Graph code 551/1545041: This person isn’t available right now.');
    expect(JSON.stringify(err) + (err as Error).message).not.toContain('secret-page-token');
  });

  it('keeps text and quick replies inside Messenger’s limits', async () => {
    const quick_replies = Array.from({ length: 20 }, (_, i) => ({ title: `Option ${i}`, payload: `P${i}` }));
    await contextFor('psid-adapter-2').sendActivity({ type: 'message', text: 'x'.repeat(5000), channelData: { quick_replies } });
    const sent = graph.sentTo('psid-adapter-2').at(-1)!.body;
    expect(sent.message!.text).toHaveLength(2000);
    expect(sent.message!.quick_replies).toHaveLength(13);
    expect(sent.messaging_type).toBe('RESPONSE');
  });
});
