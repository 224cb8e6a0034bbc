import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from '../../../src/simulator/fake-graph.js';
import { createSendApi, GraphError } from '../../../src/bot/send-api.js';
import { freePort } from '../simulator/free-port.js';

/**
 * Whether a failed send may have reached Graph decides whether it may be sent again: only a request that
 * provably never left, or one Graph answered with "try again", is temporary; a timeout after the request
 * was written, a dropped connection or a gateway's bare 5xx is "delivery unknown".
 */
let graph: FakeGraph;
beforeAll(async () => {
  graph = await startFakeGraph();
});
afterAll(() => graph.close());

const api = (url: string, timeoutMs = 2000) => createSendApi({ graphApiUrl: url, graphApiVersion: 'v24.0', pageAccessToken: 't', timeoutMs });
const fail = (url: string, timeoutMs?: number) =>
  api(url, timeoutMs)
    .send({ recipient: { id: 'psid-delivery' }, message: { text: 'hello' } })
    .then(() => null, (err: unknown) => err as GraphError);

describe('a Send API failure', () => {
  it('is temporary, not unknown, when the connection was refused (nothing reached Graph)', async () => {
    const err = await fail(`http://127.0.0.1:${await freePort()}`);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 0, notSent: true, isTemporary: true, deliveryUnknown: false });
    expect(err!.message).toContain('ECONNREFUSED');
  });

  it('is delivery unknown, not temporary, when Graph got the request but answered after the timeout', async () => {
    graph.setDelay(1500);
    try {
      const err = await fail(graph.url, 300);
      expect(err).toMatchObject({ status: 0, isTemporary: false, deliveryUnknown: true });
      // Graph did get it: the late answer is recorded (and takes no failure scripted for the next tests)
      await graph.waitFor(() => graph.sentTo('psid-delivery').length === 1);
    } finally {
      graph.setDelay(0);
    }
  });

  it('is delivery unknown when the connection dropped after the request was written', async () => {
    graph.failNext({ status: 0, drop: true });
    expect(await fail(graph.url)).toMatchObject({ isTemporary: false, deliveryUnknown: true });
  });

  it('is temporary for Graph answers that mean "try again" (code 2, throttling 613, HTTP 429)', async () => {
    graph.failNext({ status: 503, error: { code: 2, message: 'Service temporarily unavailable' } });
    expect(await fail(graph.url)).toMatchObject({ isTemporary: true, deliveryUnknown: false });
    graph.failNext({ status: 400, error: { code: 613, message: 'Calls to this api have exceeded the rate limit.' } });
    expect(await fail(graph.url)).toMatchObject({ isTemporary: true, isRateLimit: true, deliveryUnknown: false });
    graph.failNext({ status: 429 });
    expect(await fail(graph.url)).toMatchObject({ isTemporary: true, deliveryUnknown: false });
  });

  it('is delivery unknown for a bare 502/504 (a gateway may have forwarded it)', async () => {
    graph.failNext({ status: 504 });
    expect(await fail(graph.url)).toMatchObject({ isTemporary: false, deliveryUnknown: true });
  });
});
