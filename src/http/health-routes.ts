import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { RedisClient } from '../db/redis.js';
import type { Db } from '../db/pool.js';
import { withTimeout } from '../timeout.js';

/**
 * /healthz: the process answers. /readyz: MySQL and Redis both answer within a second; otherwise 503
 * naming the one that does not (a load balancer takes the process out until both are back). MySQL is
 * asked on a pool of its own (`readinessDb`, see app.ts): on the pool the work uses, a busy process's
 * `SELECT 1` waited for a free connection behind the queries queued there, and a process that was only
 * busy read as unready, the moment a load balancer would then take it out of rotation. The
 * public body says no more than that; on the operators' listener (`verbose`) it also carries each
 * check's answer and `details` (e.g. chat events in the dead-letter list), which never fail readiness.
 * Metrics are served on the operators' listener (internal-server.ts) only.
 */
export type HealthDetails = () => Promise<Record<string, unknown>>;
const CHECK_TIMEOUT_MS = 1000;

/** The promise's answer, or `late` when it has none within CHECK_TIMEOUT_MS (p itself never rejects here). */
function within<T>(p: Promise<T>, late: T): Promise<T> {
  return withTimeout(p, CHECK_TIMEOUT_MS, 'readiness check').catch(() => late);
}

function check(probe: () => Promise<unknown>): Promise<string> {
  const answer = probe().then(
    () => 'ok',
    (err: unknown) => `unreachable (${(err as NodeJS.ErrnoException)?.code ?? 'error'})`,
  );
  return within(answer, `no answer within ${CHECK_TIMEOUT_MS} ms`);
}

export function healthRoutes(deps: { readinessDb: Db; redis: RedisClient; logger: Logger; details?: HealthDetails; verbose?: boolean }) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/readyz', async (_request, reply) => {
      const [mysql, redis] = await Promise.all([check(() => deps.readinessDb.query('SELECT 1')), check(() => deps.redis.ping())]);
      const checks = { mysql, redis };
      // the details read the work's pool: on a busy process they may come late, and are then left out
      const details = deps.verbose && deps.details && redis === 'ok' ? await within(deps.details().catch(() => undefined), undefined) : undefined;
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
