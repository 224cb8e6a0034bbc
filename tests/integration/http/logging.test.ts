import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildApp, REDACT_PATHS, type App } from '../../../src/app.js';
import { testConfig } from '../../helpers/test-config.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';

describe('logs at trace level', () => {
  const lines: string[] = [];
  const rootKey = `root-${randomUUID()}`;
  let app: App;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    app = await buildApp(testConfig({ ADMIN_API_KEY: rootKey, API_RATE_LIMIT: '0', LOG_LEVEL: 'trace' }), { logger, workers: false });
  });
  afterAll(async () => app.close());

  it('never contain an API key or an Idempotency-Key, whatever the request did', async () => {
    const admin = await app.admins.create(`log-${randomUUID().slice(0, 8)}`);
    const idemKey = `idem-${randomUUID()}`;
    const wrongKey = `wrong-${randomUUID()}`;
    const http = app.http!;
    const body = seedOrderPayload(await makeUser(app.db), await makeProduct(app.db), 2);
    const auth = (k: string) => ({ authorization: `Bearer ${k}`, 'content-type': 'application/json' });
    await http.inject({ method: 'POST', url: '/api/orders', headers: { ...auth(admin.key), 'idempotency-key': idemKey }, payload: body });
    await http.inject({ method: 'POST', url: '/api/orders', headers: auth(rootKey), payload: '{"broken":' });
    await http.inject({ method: 'GET', url: '/api/orders/1', headers: auth(wrongKey) });
    await http.inject({ method: 'GET', url: '/api/orders?limit=5000', headers: auth(rootKey) });
    const text = lines.join('');
    expect(text).toContain('request completed');
    for (const secret of [admin.key, rootKey, wrongKey, idemKey]) expect(lines.filter((l) => l.includes(secret))).toEqual([]);
  });
});
