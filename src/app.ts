import { pino, type Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Config } from './config.js';
import { createPool, type Db } from './db/pool.js';
import { createRedis } from './db/redis.js';
import { createAdminService, type AdminService } from './admins/admin-service.js';
import { createSendApi, type SendApi } from './bot/send-api.js';
import { createOrderService, type OrderService } from './orders/index.js';
import { createJobs, type Jobs } from './jobs/index.js';
import { createBot, type Bot } from './bot/index.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { buildHttpServer } from './http/server.js';
import { createSimulator, type Simulator } from './simulator/index.js';
import { createLiveSales, type LiveSales } from './orders/live/live-sales.js';

/** Log redaction: secrets and keys never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["idempotency-key"]',
  'req.query.access_token',
  'access_token',
  'config.ADMIN_API_KEY',
  'config.FB_PAGE_ACCESS_TOKEN',
  'config.FB_APP_SECRET',
  'config.FB_VERIFY_TOKEN',
  '*.access_token',
  '*.apiKey',
  '*.api_key',
  '*.password',
];

export interface AppOptions {
  logger?: Logger;
  /** Start BullMQ workers in this process (default: ROLE is all or worker). */
  workers?: boolean;
  /** Build the HTTP server (default: ROLE is all or web). */
  web?: boolean;
}

export interface App {
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  orders: OrderService;
  admins: AdminService;
  sendApi: SendApi;
  metrics: Metrics;
  jobs: Jobs;
  live: LiveSales;
  bot: Bot;
  simulator: Simulator | null;
  http: FastifyInstance | null;
  /** Start workers and schedulers (does not listen). */
  start(): Promise<void>;
  /** Stop taking jobs, finish active ones, close workers, then HTTP, then Redis and the pool. */
  close(): Promise<void>;
}

/** The composition root: builds everything from a config and returns it without listening. */
export async function buildApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const logger = opts.logger ?? pino({ level: config.LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
  const runWeb = opts.web ?? config.ROLE !== 'worker';
  const runWorkers = opts.workers ?? config.ROLE !== 'web';

  const db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  const redis = createRedis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const admins = createAdminService(db, config);
  const metrics = createMetrics();
  const simulator = config.simulatorEnabled ? await createSimulator({ config, logger }) : null;
  const graphApiUrl = simulator?.graphApiUrl ?? config.GRAPH_API_URL;
  const sendApi = createSendApi({
    graphApiUrl,
    graphApiVersion: config.GRAPH_API_VERSION,
    pageAccessToken: config.FB_PAGE_ACCESS_TOKEN,
    timeoutMs: config.SEND_API_TIMEOUT_MS,
  });

  // The engine gets the outbox publisher through a late-bound reference: jobs need the engine too.
  let jobsRef: Jobs | null = null;
  const orders = createOrderService({
    db,
    config,
    logger,
    observer: metrics.orderObserver,
    outbox: { publish: (rows) => (jobsRef ? jobsRef.publish(rows) : Promise.resolve()) },
  });
  const live = createLiveSales({
    db,
    config,
    logger: logger.child({ component: 'live' }),
    outbox: { publish: (rows) => (jobsRef ? jobsRef.publish(rows) : Promise.resolve()) },
    holds: { schedule: (holds) => (jobsRef ? jobsRef.holdScheduler.schedule(holds) : Promise.resolve()) },
  });
  const jobs = await createJobs({ config, db, redis, orders, admins, sendApi, logger, metrics, live: () => live });
  jobsRef = jobs;
  const bot = await createBot({ config, db, redis, orders, admins, sendApi, jobs, live, logger });

  const plugins: FastifyPluginAsync[] = [jobs.dashboardPlugin, bot.webhookPlugin];
  if (simulator) plugins.push(simulator.plugin);
  const http = runWeb ? await buildHttpServer({ config, logger, db, redis, orders, admins, metrics, jobs, live, plugins }) : null;

  let started = false;
  return {
    config,
    logger,
    db,
    redis,
    orders,
    admins,
    sendApi,
    metrics,
    jobs,
    live,
    bot,
    simulator,
    http,
    async start() {
      if (started) return;
      started = true;
      if (runWorkers) await jobs.startWorkers();
    },
    async close() {
      // Workers first (stop taking jobs, finish active ones), then HTTP; the job producers stay open until
      // HTTP is closed so that requests still in flight can publish their outbox rows.
      await jobs.stopWorkers();
      await bot.close();
      if (http) await http.close();
      await jobs.close();
      if (simulator) await simulator.close();
      await redis.quit().catch(() => redis.disconnect());
      await db.end();
    },
  };
}
