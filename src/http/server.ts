// STUB — the http helper replaces this file (issue 3). Keep the exported names and types.
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { AdminService } from '../admins/admin-service.js';
import type { OrderService } from '../orders/index.js';
import type { Jobs } from '../jobs/index.js';
import type { Metrics } from './metrics.js';

export interface HttpDeps {
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  orders: OrderService;
  admins: AdminService;
  metrics: Metrics;
  jobs: Jobs;
  /** Routes owned by other features: the webhook, the queue dashboard, the simulator. */
  plugins: FastifyPluginAsync[];
}

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.logger }) as unknown as FastifyInstance;
  app.get('/healthz', async () => ({ status: 'ok' }));
  for (const p of deps.plugins) await app.register(p);
  return app;
}
