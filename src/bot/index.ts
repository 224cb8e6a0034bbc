// STUB — the bot helper replaces this file (issue 5). Keep the exported names and types.
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { AdminService } from '../admins/admin-service.js';
import type { SendApi } from './send-api.js';
import type { OrderService } from '../orders/index.js';
import type { Jobs } from '../jobs/index.js';

export interface BotDeps {
  config: Config;
  db: Db;
  redis: Redis;
  orders: OrderService;
  admins: AdminService;
  sendApi: SendApi;
  jobs: Jobs;
  logger: Logger;
}

export interface Bot {
  /** Fastify plugin with GET/POST /webhook. */
  webhookPlugin: FastifyPluginAsync;
  close(): Promise<void>;
}

export async function createBot(_deps: BotDeps): Promise<Bot> {
  return { webhookPlugin: async () => undefined, close: async () => undefined };
}
