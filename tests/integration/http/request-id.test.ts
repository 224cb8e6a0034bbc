import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildApp, REDACT_PATHS, type App } from '../../../src/app.js';
import { testConfig } from '../../helpers/test-config.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', () => {
  const lines: Array<Record<string, unknown>> = [];
  const rootKey = `root-${randomUUID()}`;
  let app: App;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    app = await buildApp(testConfig({ ADMIN_API_KEY: rootKey, API_RATE_LIMIT: '0', LOG_LEVEL: 'trace' }), { logger, workers: false });
  });
  afterAll(async () => app.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.http!.inject({ method: 'GET', url, headers: { authorization: `Bearer ${rootKey}`, ...headers } });
  const linesOf = (id: string) => lines.filter((l) => l.reqId === id);

  it('keeps a plain incoming X-Request-Id, echoes it and logs it on every line of that request', async () => {
    const id = `edge-proxy:${randomUUID()}.1_a`;
    const res = await get('/api/orders/987654321', { 'x-request-id': id });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe(id);
    const mine = linesOf(id).map((l) => l.msg);
    expect(mine).toContain('incoming request');
    expect(mine).toContain('request completed');
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with spaces and quotes', 'id "forged" reqId=1'],
    ['with a newline-like escape', 'abc\\ndef'],
    ['empty', ''],
  ])('replaces an incoming id that is %s by a fresh UUID', async (_why, bad) => {
    const res = await get('/api/orders/987654321', { 'x-request-id': bad });
    const id = String(res.headers['x-request-id']);
    expect(id).toMatch(UUID);
    expect(linesOf(id).map((l) => l.msg)).toContain('request completed');
    if (bad) expect(lines.filter((l) => l.reqId === bad)).toEqual([]);
  });

  it('gives every request without one its own UUID, also on a request the parser refuses', async () => {
    const a = await get('/healthz');
    const b = await app.http!.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
      payload: '{"broken":',
    });
    expect(b.statusCode).toBe(400);
    const ids = [a, b].map((r) => String(r.headers['x-request-id']));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(ids[0]).not.toBe(ids[1]);
    expect(linesOf(ids[1]!).map((l) => l.msg)).toContain('request completed');
    // every line that belongs to a request names it: no line carries the old per-process counter
    expect(lines.filter((l) => typeof l.reqId === 'string' && /^req-\d+$/.test(l.reqId))).toEqual([]);
  });
});
