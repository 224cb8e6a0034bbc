import type { FastifyInstance } from 'fastify';
import type { RedisClient } from '../db/redis.js';
import type { Db } from '../db/pool.js';
import type { Metrics } from '../observability/metrics.js';

/**
 * /healthz: the process answers. /readyz: MySQL and Redis both answer within a second; otherwise 503
 * naming the one that does not (a load balancer takes the process out until both are back). Its body
 * also carries `details` (e.g. chat events in the dead-letter list), which never fail readiness.
 * /metrics: Prometheus text format.
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

export function healthRoutes(deps: { db: Db; redis: RedisClient; metrics: Metrics; details?: HealthDetails }) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/readyz', async (_request, reply) => {
      const [mysql, redis] = await Promise.all([check(() => deps.db.query('SELECT 1')), check(() => deps.redis.ping())]);
      const checks = { mysql, redis };
      const details = deps.details && redis === 'ok' ? await deps.details().catch(() => undefined) : undefined;
      const failing = Object.entries(checks).filter(([, v]) => v !== 'ok').map(([k]) => k);
      if (failing.length === 0) return { status: 'ok', checks, ...(details ? { details } : {}) };
      return reply.code(503).send({ status: 'unavailable', error: `not ready: ${failing.join(' and ')} not answering`, failing, checks });
    });

    app.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await deps.metrics.render();
      return reply.type(contentType).send(body);
    });
  };
}
