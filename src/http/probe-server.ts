import Fastify, { type FastifyInstance } from 'fastify';
import type { RedisClient } from '../db/redis.js';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import type { Jobs } from '../jobs/index.js';
import type { Metrics } from '../observability/metrics.js';
import { healthRoutes } from './health-routes.js';

/** /metrics reads the queue depths from BullMQ at each scrape (a web process and a worker's probe alike). */
export function useQueueDepths(metrics: Metrics, jobs: Jobs): void {
  metrics.setQueueDepthSource(async () =>
    Object.entries(await jobs.queueCounts()).flatMap(([queue, states]) =>
      Object.entries(states).map(([state, count]) => ({ queue, state, count })),
    ),
  );
}

/**
 * The small listener of a ROLE=worker process (WORKER_HTTP_PORT): /healthz, /readyz and /metrics only, so
 * an orchestrator can probe and scrape workers like web processes. No API, no webhook, no dashboard.
 */
export async function buildProbeServer(deps: { logger: Logger; db: Db; redis: RedisClient; metrics: Metrics; jobs: Jobs }): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'probe' }) }) as unknown as FastifyInstance;
  useQueueDepths(deps.metrics, deps.jobs);
  await app.register(healthRoutes(deps));
  return app;
}
