// STUB — the jobs helper replaces this file (issue 4). Keep the exported names and types.
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { AdminService } from '../admins/admin-service.js';
import type { SendApi } from '../bot/send-api.js';
import type { OrderService, OutboxRows } from '../orders/index.js';
import type { Metrics } from '../http/metrics.js';

export interface JobsDeps {
  config: Config;
  db: Db;
  redis: Redis;
  orders: OrderService;
  admins: AdminService;
  sendApi: SendApi;
  logger: Logger;
  metrics: Metrics;
}

export interface Jobs {
  /** Publish outbox rows to BullMQ (jobId = row id). Never throws: the relay retries. */
  publish(rows: OutboxRows): Promise<void>;
  /** Fastify plugin mounting bull-board at /admin/queues behind admin basic auth. */
  dashboardPlugin: FastifyPluginAsync;
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function createJobs(_deps: JobsDeps): Promise<Jobs> {
  return {
    publish: async () => undefined,
    dashboardPlugin: async () => undefined,
    startWorkers: async () => undefined,
    close: async () => undefined,
  };
}
