import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

/**
 * package.json `overrides` pin two transitive packages to their CommonJS, Node-20 releases (the newest ones
 * are ESM-only and want Node 22): content-disposition under @fastify/static (the queue dashboard's files)
 * and cookie under light-my-request (fastify.inject). The dashboard's files are checked in
 * tests/integration/jobs/dashboard.test.ts; here, the call light-my-request makes into cookie.
 */
describe('the cookie version pinned by package.json overrides', () => {
  it('lets fastify.inject send cookies', async () => {
    const app = Fastify();
    app.get('/', async (req) => ({ cookie: req.headers.cookie }));
    const res = await app.inject({ url: '/', cookies: { session: 'a b', theme: 'dark' } });
    expect(res.json()).toEqual({ cookie: 'session=a%20b; theme=dark' });
    await app.close();
  });
});
