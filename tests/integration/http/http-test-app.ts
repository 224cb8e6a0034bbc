import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '../../../src/app.js';
import { testConfig } from '../../helpers/test-config.js';

/** The real app (real MariaDB and Redis) with a root key of its own; requests go through inject. */
export interface TestApi {
  app: App;
  rootKey: string;
  request(opts: {
    method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    url: string;
    body?: unknown;
    key?: string | null;
    headers?: Record<string, string>;
    remoteAddress?: string;
  }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startTestApi(overrides: Record<string, string> = {}): Promise<TestApi> {
  const rootKey = `root-${randomUUID()}`;
  const app = await buildApp(testConfig({ ADMIN_API_KEY: rootKey, API_RATE_LIMIT: '0', ...overrides }), { workers: false });
  const http = app.http;
  if (!http) throw new Error('the test app has no HTTP server');
  return {
    app,
    rootKey,
    request({ method = 'GET', url, body, key = rootKey, headers = {}, remoteAddress }) {
      const all: Record<string, string> = { ...headers };
      if (key !== null) all.authorization = `Bearer ${key}`;
      const isRaw = typeof body === 'string' || Buffer.isBuffer(body);
      if (body !== undefined && !isRaw && !all['content-type']) all['content-type'] = 'application/json';
      const payload = body === undefined ? undefined : isRaw ? (body as string | Buffer) : JSON.stringify(body);
      return http.inject({ method, url, headers: all, payload, remoteAddress });
    },
    close: () => app.close(),
  };
}
