import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';

/**
 * /healthz: the process answers. /readyz: MySQL and Redis both answer within a second; otherwise 503
 * naming the one that does not (a load balancer takes the process out until both are back). The
 * public body says no more than that; why a check failed goes to the log. Metrics are served on the
 * operators' listener (internal-server.ts), not here.
 */
const CHECK_TIMEOUT_MS = 1000;

async function check(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  const answer = probe().then(
    () => 'ok',
    (err: unknown) => `unreachable (${(err as NodeJS.ErrnoException)?.code ?? 'error'})`,
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: { db: Db; redis: Redis; logger: Logger }) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/readyz', async (_request, reply) => {
      const [mysql, redis] = await Promise.all([check(() => deps.db.query('SELECT 1')), check(() => deps.redis.ping())]);
      const checks = { mysql, redis };
      const failing = Object.entries(checks).filter(([, v]) => v !== 'ok').map(([k]) => k);
      if (failing.length === 0) return { status: 'ok' };
      deps.logger.warn({ checks }, 'not ready');
      return reply.code(503).send({ status: 'unavailable', failing });
    });
  };
}
