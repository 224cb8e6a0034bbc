import type { FastifyInstance } from 'fastify';
import type { RedisClient } from '../db/redis.js';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import type { Jobs } from '../jobs/index.js';
import type { Metrics } from '../observability/metrics.js';
import { healthRoutes } from './health-routes.js';
import { buildInternalServer } from './internal-server.js';

/** /metrics reads the queue depths from BullMQ at each scrape (a web process and a worker's probe alike). */
export function useQueueDepths(metrics: Metrics, jobs: Jobs): void {
  metrics.setQueueDepthSource(async () =>
    Object.entries(await jobs.queueCounts()).flatMap(([queue, states]) =>
      Object.entries(states).map(([state, count]) => ({ queue, state, count })),
    ),
  );
}

/**
 * The small listener of a ROLE=worker process (WORKER_HTTP_PORT, on HOST): /healthz and /readyz only,
 * with the same public bodies as a web process's, so an orchestrator can probe workers like web
 * processes. Workers are scraped like web processes too, on the operators' listener (METRICS_PORT).
 */
export async function buildProbeServer(deps: { logger: Logger; readinessDb: Db; redis: RedisClient }): Promise<FastifyInstance> {
  return buildInternalServer({ logger: deps.logger.child({ component: 'probe' }), plugins: [healthRoutes(deps)] });
}
