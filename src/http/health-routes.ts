import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { RedisClient } from '../db/redis.js';
import type { Db } from '../db/pool.js';

/**
 * /healthz: the process answers. /readyz: MySQL and Redis both answer within a second; otherwise 503
 * naming the one that does not (a load balancer takes the process out until both are back). The
 * public body says no more than that; on the operators' listener (`verbose`) it also carries each
 * check's answer and `details` (e.g. chat events in the dead-letter list), which never fail readiness.
 * Metrics are served on the operators' listener (internal-server.ts) only.
 */
export type HealthDetails = () => Promise<Record<string, unknown>>;
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

export function healthRoutes(deps: { db: Db; redis: RedisClient; logger: Logger; details?: HealthDetails; verbose?: boolean }) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/readyz', async (_request, reply) => {
      const [mysql, redis] = await Promise.all([check(() => deps.db.query('SELECT 1')), check(() => deps.redis.ping())]);
      const checks = { mysql, redis };
      const details = deps.verbose && deps.details && redis === 'ok' ? await deps.details().catch(() => undefined) : undefined;
      const failing = Object.entries(checks).filter(([, v]) => v !== 'ok').map(([k]) => k);
      if (deps.verbose) {
        if (failing.length === 0) return { status: 'ok', checks, ...(details ? { details } : {}) };
        return reply.code(503).send({ status: 'unavailable', failing, checks });
      }
      if (failing.length === 0) return { status: 'ok' };
      deps.logger.warn({ checks }, 'not ready');
      return reply.code(503).send({ status: 'unavailable', failing });
    });
  };
}
