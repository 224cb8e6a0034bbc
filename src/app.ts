import type { Logger } from 'pino';
import { createLogger } from './logging.js';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Config } from './config.js';
import { createBatchPool, createPool, type Db } from './db/pool.js';
import { coalescedReads } from './db/read-rows.js';
import { createReadGroup } from './orders/group-reads.js';
import { createRedis, type RedisClient } from './db/redis.js';
import { createAdminService, type AdminService } from './admins/admin-service.js';
import { createSendApi, type SendApi } from './bot/send-api.js';
import { createOrderService, type OrderService } from './orders/index.js';
import { createJobs, type Jobs } from './jobs/index.js';
import { createBot, type Bot } from './bot/index.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { buildHttpServer } from './http/server.js';
import { buildInternalServer, metricsRoute } from './http/internal-server.js';
import { buildProbeServer, useQueueDepths } from './http/probe-server.js';
import { healthRoutes } from './http/health-routes.js';
import { createSimulator, liveShopView, type Simulator } from './simulator/index.js';
import { createLiveSales, type LiveSales } from './orders/live/live-sales.js';
import { createMediaStore, type MediaStore } from './media/media-store.js';
import { createProductImages, type ProductImages } from './media/product-images.js';
import type { DownloadPolicy } from './media/safe-download.js';
import { liveVideoFinder } from './bot/live/live-videos.js';
import type { HoldDue } from './orders/live/live-types.js';

export { REDACT_PATHS } from './logging.js';

export interface AppOptions {
  logger?: Logger;
  /** Start BullMQ workers in this process (default: ROLE is all or worker). */
  workers?: boolean;
  /** Build the HTTP server (default: ROLE is all or web). */
  web?: boolean;
  /**
   * An extra CA (PEM) trusted when downloading payment proofs: only for a test's fake CDN with a
   * self-signed certificate. Production uses Node's default CA store.
   */
  mediaExtraCa?: string;
}

export interface App {
  config: Config;
  logger: Logger;
  db: Db;
  /** the createOrder batch's multi-statement pool (nothing else uses it) */
  batchDb: Db;
  redis: RedisClient;
  orders: OrderService;
  admins: AdminService;
  media: MediaStore;
  images: ProductImages;
  sendApi: SendApi;
  metrics: Metrics;
  jobs: Jobs;
  live: LiveSales;
  /** the Messenger bot and its turn runner: only where the webhook is (ROLE=web|all), see docs/operations.md */
  bot: Bot | null;
  simulator: Simulator | null;
  http: FastifyInstance | null;
  /** the operators' listener (/metrics, a verbose /readyz), every role; main.ts listens on METRICS_HOST:METRICS_PORT */
  internalHttp: FastifyInstance;
  /** ROLE=worker: the /healthz, /readyz listener for WORKER_HTTP_PORT (null when 0 or not a worker) */
  probe: FastifyInstance | null;
  /** Start workers and schedulers (does not listen). */
  start(): Promise<void>;
  /** Stop taking jobs, finish active ones, close workers, then HTTP, then Redis and the pool. */
  close(): Promise<void>;
}

/** The composition root: builds everything from a config and returns it without listening. */
export async function buildApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const runWeb = opts.web ?? config.ROLE !== 'worker';
  const runWorkers = opts.workers ?? config.ROLE !== 'web';

  const db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  // /readyz's `SELECT 1` only (health-routes.ts): never queued behind the work on the pools above and below
  const readinessDb = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 2 });
  // createOrder's batch only (multi-statement); connections open on first use
  const batchDb = createBatchPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  // auto-pipelining: the commands that concurrent turns and webhook posts issue in one tick of the event
  // loop go out in one socket write (ioredis keeps each caller's order and answer); a write per command
  // was a fifth of a busy server's CPU. Only this command connection: BullMQ's own connections block.
  const redis = createRedis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  // the reads every chat turn starts with (who the user is, whether an admin, live-sale claims to cart) of
  // turns starting together go in one multi-statement round trip (db/read-rows.ts)
  const turnReads = coalescedReads(createReadGroup(batchDb));
  const admins = createAdminService(db, config, turnReads);
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
  const holdScheduler = { schedule: (holds: HoldDue[]) => (jobsRef ? jobsRef.holdScheduler.schedule(holds) : Promise.resolve()) };
  const orders = createOrderService({
    db,
    batchDb,
    config,
    logger,
    observer: metrics.orderObserver,
    outbox: { publish: (rows) => (jobsRef ? jobsRef.publish(rows) : Promise.resolve()) },
    liveHolds: holdScheduler,
  });
  const live = createLiveSales({
    db,
    batchDb,
    config,
    logger: logger.child({ component: 'live' }),
    outbox: { publish: (rows) => (jobsRef ? jobsRef.publish(rows) : Promise.resolve()) },
    holds: holdScheduler,
    liveVideos: liveVideoFinder(sendApi, logger),
    read: turnReads,
  });
  simulator?.connectShop(liveShopView(orders, live));
  const media = createMediaStore(db, { maxBytes: config.MEDIA_MAX_BYTES });
  const downloadPolicy: DownloadPolicy = {
    allowedHosts: config.MEDIA_ALLOWED_HOSTS,
    maxBytes: config.MEDIA_MAX_BYTES,
    connectTimeoutMs: config.MEDIA_CONNECT_TIMEOUT_MS,
    readTimeoutMs: config.MEDIA_READ_TIMEOUT_MS,
    extraCa: opts.mediaExtraCa,
    // the simulator's own photo uploads (plain http on this server): nothing else is fetched over http
    httpOrigins: simulator ? [config.publicUrl, `http://localhost:${config.PORT}`, `http://127.0.0.1:${config.PORT}`] : [],
  };
  const images = createProductImages({ media, orders, publicUrl: config.publicUrl, policy: downloadPolicy });
  const jobs = await createJobs({ config, db, batchDb, redis, orders, admins, sendApi, logger, metrics, media, downloadPolicy, live: () => live });
  jobsRef = jobs;
  // queue depths at scrape time, in every role (a worker's metrics show them too)
  useQueueDepths(metrics, jobs);
  // TURN_PROCESS=web (default): chat turns run where the webhook is: a web process appends events to the
  // users' inboxes and drains them itself; a worker process runs BullMQ jobs only. TURN_PROCESS=worker: web
  // processes only ack (append and wake), worker processes drain the inboxes (docs/operations.md).
  const turnsHere = config.TURN_PROCESS === 'web' ? runWeb : runWorkers;
  const bot = runWeb || turnsHere ? await createBot({ config, db, batchDb, turnReads, redis, orders, admins, sendApi, jobs, live, logger, metrics, images, turnsHere }) : null;

  const plugins: FastifyPluginAsync[] = [jobs.dashboardPlugin];
  if (bot) plugins.push(bot.webhookPlugin);
  if (simulator) plugins.push(simulator.plugin);
  const details = bot
    ? async () => ({ botDeadLetters: await bot.deadLetterCount(), liveCommentDeadLetters: await live.deadLetterCount().catch(() => null) })
    : undefined;
  const http = runWeb ? await buildHttpServer({ config, logger, db, readinessDb, redis, orders, admins, metrics, jobs, live, media, images, plugins }) : null;
  const probe = !runWeb && config.WORKER_HTTP_PORT > 0 ? await buildProbeServer({ logger, readinessDb, redis }) : null;

  const internalHttp = await buildInternalServer({
    logger,
    plugins: [metricsRoute(metrics, config.METRICS_TOKEN), healthRoutes({ readinessDb, redis, logger, details, verbose: true })],
  });

  let started = false;
  return {
    config,
    logger,
    db,
    batchDb,
    redis,
    orders,
    admins,
    media,
    images,
    sendApi,
    metrics,
    jobs,
    live,
    bot,
    simulator,
    http,
    internalHttp,
    probe,
    async start() {
      if (started) return;
      started = true;
      if (runWorkers) await jobs.startWorkers();
    },
    async close() {
      // Workers first (stop taking jobs, finish active ones), then HTTP; the job producers stay open until
      // HTTP is closed so that requests still in flight can publish their outbox rows.
      await jobs.stopWorkers();
      await bot?.close();
      if (http) await http.close();
      if (probe) await probe.close();
      await internalHttp.close();
      await jobs.close();
      if (simulator) await simulator.close();
      await redis.quit().catch(() => redis.disconnect());
      await db.end();
      await batchDb.end();
      await readinessDb.end();
    },
  };
}
