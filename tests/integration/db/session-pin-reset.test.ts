import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../../src/db/pool.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { testConfig } from '../../helpers/test-config.js';

/**
 * A connection that dies while its session is being pinned (MariaDB restarting, a reset on the network):
 * the query waiting for it must fail as an outage, and nothing may escape as an uncaught exception. Before,
 * pinSession threw inside mysql2's network-error handler: an uncaught SessionPinError (seen once in CI, in
 * notification-outage.test.ts), and mysql2 stopped before telling the queries queued behind the pin.
 * The proxy passes the handshake through and resets the client when it sends the pin.
 */
describe('when the connection is reset while its session is pinned', () => {
  let proxy: TcpProxy;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => void uncaught.push(err);

  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(testConfig().DATABASE_URL).port || 3306), '127.0.0.1', { resetOn: 'SET SESSION sql_mode' });
    process.prependListener('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    process.removeListener('uncaughtException', onUncaught);
    await proxy.close();
  });

  it('fails the waiting query with the connection error, and throws nothing elsewhere', async () => {
    const pool = createPool({ url: proxy.via(testConfig().DATABASE_URL), timeZone: 'Asia/Manila', connectionLimit: 1 });
    try {
      const settled = await Promise.race([
        pool.query('SELECT 1').then(
          () => 'answered',
          (err: { code?: string }) => err.code ?? 'no code',
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000)),
      ]);
      expect(settled).toBe('ECONNRESET');
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).toEqual([]);
    } finally {
      await pool.end().catch(() => undefined);
    }
  });
});
