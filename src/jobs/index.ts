import { Queue, Worker, type Job, type JobsOptions, type Processor, type WorkerOptions } from 'bullmq';
import type { FastifyPluginAsync } from 'fastify';
import { createRedis, type RedisClient } from '../db/redis.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { AdminService } from '../admins/admin-service.js';
import type { SendApi } from '../bot/send-api.js';
import type { OrderService, OutboxRows } from '../orders/index.js';
import type { Metrics } from '../observability/metrics.js';
import { jobIds, QUEUES, QUEUE_NAMES, type QueueName } from './queues.js';
import { createPublisher } from './publisher.js';
import { createNotificationProcessor } from './notification-processor.js';
import { createNotificationWaiters } from './notification-waiters.js';
import { createOrderWorkProcessor } from './order-work-processor.js';
import { createMaintenance } from './maintenance.js';
import { createDashboardPlugin } from './dashboard.js';
import { createFailedLoginLimiter } from './failed-login-limiter.js';
import { countDeliveryUnknown, markFailedIfOpen, type OutboxTable } from './outbox-store.js';
import { Counter, Gauge } from 'prom-client';
import { createDailySummary, dailySummaryCron } from './daily-summary.js';
import { createProofDownloadProcessor } from './proof-download-processor.js';
import type { MediaStore } from '../media/media-store.js';
import type { DownloadPolicy } from '../media/safe-download.js';
import type { LiveSales } from '../orders/live/live-sales.js';
import type { HoldScheduler } from '../orders/live/live-types.js';
import { createHoldScheduler, createLiveHoldProcessor, upsertHoldSweep } from './live-holds.js';

export { QUEUES, QUEUE_NAMES, jobIds } from './queues.js';
export type { QueueName } from './queues.js';

export interface JobsDeps {
  config: Config;
  db: Db;
  /** runs several statements per query: the notifications worker claims and loads rows in one round trip */
  batchDb?: Db;
  redis: RedisClient;
  orders: OrderService;
  admins: AdminService;
  sendApi: SendApi;
  logger: Logger;
  metrics: Metrics;
  media: MediaStore;
  /** how payment proofs are fetched (allowed hosts, limits) */
  downloadPolicy: DownloadPolicy;
  /** live sales: hold expiry jobs run when given (late-bound: the live service needs the scheduler below) */
  live?: () => LiveSales;
}

export type QueueCounts = Record<QueueName, Record<string, number>>;

export interface Jobs {
  /** Publish outbox rows to BullMQ (jobId derived from the row id). Never throws: the relay retries. */
  publish(rows: OutboxRows): Promise<void>;
  /** Fastify plugin mounting bull-board at /admin/queues behind admin basic auth. */
  dashboardPlugin: FastifyPluginAsync;
  /** Start the workers and (re)declare the job schedulers (relay, expiry sweep, cleanup). */
  startWorkers(): Promise<void>;
  /** Stop taking jobs, let active ones finish (bounded by the shutdown budget; the rest are released). */
  stopWorkers(): Promise<void>;
  /** stopWorkers, then close the queues and the Redis connections of the jobs module. */
  close(): Promise<void>;
  /** Job counts per queue and state (for /metrics and the operators). */
  queueCounts(): Promise<QueueCounts>;
  /** One outbox relay pass (also run by the outbox-relay job scheduler). */
  relayOnce(): Promise<{ notifications: number; processing: number }>;
  queues: Record<QueueName, Queue>;
  /** a delayed expiry job per live-sale hold (never throws: the sweeper is the safety net) */
  holdScheduler: HoldScheduler;
}

const PUBLISH_TIMEOUT_MS = 1500;
/** broadcasts fanned out at once: each is a few statements and one add of its admins' rows */
const FAN_OUT_CONCURRENCY = 4;
const COUNT_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;

/** Which outbox row a job works on, to mark it failed when BullMQ gives up on the job. */
function rowOf(job: Job): { table: OutboxTable; id: number } | null {
  const d = job.data as { notificationId?: unknown; rowId?: unknown };
  if (typeof d.notificationId === 'number') return { table: 'notification_queue', id: d.notificationId };
  if (typeof d.rowId === 'number') return { table: 'order_processing_queue', id: d.rowId };
  return null;
}

export async function createJobs(deps: JobsDeps): Promise<Jobs> {
  const { config, db } = deps;
  const logger = deps.logger.child({ component: 'jobs' });

  // Producer connection: no offline queue and one retry, so that adding a job fails fast while Redis is
  // down (the order still succeeds; the relay publishes later).
  const producer = createRedis(config.REDIS_URL, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 500, 5000),
  });
  let producerDown = false;
  let producerReadyCount = 0;
  const markDown = (reason: string) => {
    if (!producerDown) logger.warn({ reason }, 'Redis unreachable for job producers; outbox rows wait for the relay');
    producerDown = true;
  };
  producer.on('error', (err) => markDown(err.message));
  producer.on('close', () => markDown('connection closed'));
  producer.on('ready', () => {
    if (producerDown) logger.info('Redis reachable again for job producers');
    producerDown = false;
    // A Redis that restarted without its data lost the job schedulers too: declare them again.
    if (producerReadyCount++ > 0 && workers.length) {
      upsertSchedulers(queues[QUEUES.maintenance], config).catch((err: Error) =>
        logger.warn({ err: err.message }, 'could not re-declare job schedulers'),
      );
    }
  });

  const defaultJobOptions: JobsOptions = {
    attempts: config.JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.JOB_BACKOFF_MS },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 14 * 24 * 3600 }, // failed jobs stay visible (and retryable) on the dashboard
  };
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => {
      const q = new Queue(name, { connection: producer, prefix: config.QUEUE_PREFIX, defaultJobOptions });
      q.on('error', (err) => logger.debug({ queue: name, err: err.message }, 'queue error'));
      return [name, q];
    }),
  ) as Record<QueueName, Queue>;

  new Gauge({
    name: 'quicksell_notifications_delivery_unknown',
    help: "Notifications sent whose delivery is unknown (timeout after sending): not sent again; status 'unknown'",
    registers: [deps.metrics.registry],
    async collect() {
      const n = await countDeliveryUnknown(db).catch(() => null); // MySQL down: leave the last value
      if (n !== null) this.set(n);
    },
  });

  const summarySkipped = new Counter({
    name: 'quicksell_daily_summary_skipped_total',
    help: "Admins not sent the daily summary because they have not written to the Page within 24 hours (Messenger's messaging window)",
    registers: [deps.metrics.registry],
  });

  const publisher = createPublisher({
    db,
    logger,
    queues,
    producer,
    timeoutMs: PUBLISH_TIMEOUT_MS,
    republishAfterMs: config.OUTBOX_REPUBLISH_AFTER_MS,
  });
  const maintenance = createMaintenance({
    db,
    orders: deps.orders,
    logger,
    relayOnce: publisher.relayOnce,
    removeExpiryJob: async (orderId) => {
      const job = await queues[QUEUES.reservationExpiry].getJob(jobIds.expiry(orderId));
      if (!job || (await job.getState()) !== 'delayed') return false;
      await job.remove();
      return true;
    },
    retentionDays: config.RETENTION_DAYS,
    metricsRetentionDays: config.METRICS_RETENTION_DAYS,
    dailySummary: createDailySummary({
      db,
      orders: deps.orders,
      admins: deps.admins,
      publishAdminRows: publisher.publishAdminRows,
      logger,
      onSkipped: (n) => summarySkipped.inc(n),
    }),
  });

  let workerConnection: RedisClient | null = null;
  let workers: Worker[] = [];

  function startWorker(name: QueueName, processor: Processor, concurrency: number, extra: Partial<WorkerOptions> = {}): Worker {
    const worker = new Worker(name, processor, {
      connection: workerConnection!,
      prefix: config.QUEUE_PREFIX,
      concurrency,
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: 2,
      ...extra,
    });
    worker.on('error', (err) => logger.error({ queue: name, err: err.message }, 'worker error'));
    worker.on('failed', (job, err) => {
      if (!job) return logger.error({ queue: name, err: err.message }, 'job failed');
      const exhausted = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(err.message);
      logger[exhausted ? 'error' : 'warn'](
        { queue: name, jobId: job.id, attemptsMade: job.attemptsMade, err: err.message },
        exhausted ? 'job failed for good' : 'job failed; will retry',
      );
      const row = rowOf(job);
      // The processor marks its row itself; this covers jobs BullMQ failed without running them (stalled too often).
      if (exhausted && row) markFailedIfOpen(db, row.table, row.id, err.message).catch(() => undefined);
    });
    return worker;
  }

  async function stopWorkers(): Promise<void> {
    if (workers.length === 0) return;
    const closing = workers;
    workers = [];
    const budget = Math.max(1000, config.SHUTDOWN_TIMEOUT_MS - 3000);
    const finished = await settleWithin(Promise.all(closing.map((w) => w.close())), budget);
    if (!finished) {
      // Jobs still running: release them. Their locks lapse and another worker picks them up (a send that
      // was in flight is then handled as "delivery unknown", never sent twice). close(true) still waits for
      // the processor's promise, so it gets a short grace period and no more.
      logger.warn({ budgetMs: budget }, 'active jobs did not finish in time; releasing them');
      await settleWithin(Promise.all(closing.map((w) => w.close(true))), 500);
    }
  }

  return {
    queues,
    holdScheduler: createHoldScheduler(() => queues[QUEUES.liveHolds], logger),
    publish: publisher.publish,
    relayOnce: publisher.relayOnce,
    dashboardPlugin: createDashboardPlugin(
      Object.values(queues),
      deps.admins,
      createFailedLoginLimiter({ redis: deps.redis, keyPrefix: `${deps.config.QUEUE_PREFIX}:dashboard-login-failures:` }),
    ),

    async startWorkers() {
      if (workers.length) return;
      workerConnection ??= createRedis(config.REDIS_URL, { maxRetriesPerRequest: null });
      workerConnection.on('error', (err) => logger.debug({ err: err.message }, 'worker connection error'));
      const notifications = createNotificationProcessor({
        db,
        batchDb: deps.batchDb,
        orders: deps.orders,
        admins: deps.admins,
        sendApi: deps.sendApi,
        logger,
        shop: {
          name: config.SHOP_NAME,
          currency: config.CURRENCY,
          gcashNumber: config.GCASH_NUMBER,
          gcashName: config.GCASH_NAME,
          bankDetails: config.BANK_DETAILS,
        },
        inDoubtAfterMs: config.SEND_API_TIMEOUT_MS + 2000,
        rateLimitBackoffMs: config.RATE_LIMIT_BACKOFF_MS,
        rateLimit: (ms) => queues[QUEUES.notifications].rateLimit(ms),
        publishNotifications: publisher.publishNotifications,
        publishAdminRows: publisher.publishAdminRows,
        media: deps.media,
        waiters: createNotificationWaiters(producer, queues[QUEUES.notifications], config.QUEUE_PREFIX),
      });
      const proofs = createProofDownloadProcessor({ db, orders: deps.orders, media: deps.media, policy: deps.downloadPolicy });
      const fulfillment = createOrderWorkProcessor({ db, logger, run: (id) => deps.orders.markProcessing(id, 'worker:fulfillment') });
      const expiry = createOrderWorkProcessor({
        db,
        logger,
        run: (id) => deps.orders.expireOrder(id, 'worker:reservation-expiry'),
        waitUntilDue: true,
      });
      workers = [
        startWorker(QUEUES.notifications, notifications, config.NOTIFICATION_CONCURRENCY, {
          limiter: { max: config.SEND_API_RATE_PER_SECOND, duration: 1000 },
        }),
        // the same processor: a fan-out sends nothing, so it takes none of the limiter's slots (queues.ts)
        startWorker(QUEUES.fanOut, notifications, FAN_OUT_CONCURRENCY),
        startWorker(QUEUES.fulfillment, fulfillment, 5),
        startWorker(QUEUES.reservationExpiry, expiry, 5),
        startWorker(QUEUES.maintenance, maintenance.processor, 1),
        startWorker(QUEUES.media, proofs, 3),
      ];
      if (deps.live) {
        workers.push(startWorker(QUEUES.liveHolds, createLiveHoldProcessor(deps.live()), 5));
        await upsertHoldSweep(queues[QUEUES.liveHolds], config.EXPIRY_SWEEP_INTERVAL_MS);
      }
      await upsertSchedulers(queues[QUEUES.maintenance], config);
      await Promise.all(workers.map((w) => w.waitUntilReady()));
    },

    stopWorkers,

    async close() {
      await stopWorkers();
      // Bounded: with Redis unreachable a polite close would wait for a reconnect that may never come.
      await settleWithin(Promise.all(Object.values(queues).map((q) => q.close().catch(() => undefined))), 1000);
      for (const conn of [producer, workerConnection]) {
        if (!conn) continue;
        if (conn.status === 'ready') await settleWithin(conn.quit().catch(() => undefined), 1000);
        conn.disconnect();
      }
    },

    async queueCounts() {
      const entries = await Promise.all(
        QUEUE_NAMES.map(async (name) => [name, await queues[name].getJobCounts(...COUNT_STATES)] as const),
      );
      return Object.fromEntries(entries) as QueueCounts;
    },
  };
}

/** Wait for p at most ms; true when it settled (either way) in time. */
async function settleWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = p.then(
    () => true,
    () => true,
  );
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  const result = await Promise.race([settled, late]);
  clearTimeout(timer);
  return result;
}

/** The relay, the expiry sweeper, the seed's two cleanup jobs and the daily summary as BullMQ job schedulers (idempotent). */
async function upsertSchedulers(queue: Queue, config: Config): Promise<void> {
  // A run that fails on an outage (MySQL restarting) is retried with backoff, like every other job: with the
  // defaults (8 attempts from 2 s, doubling) a cron task survives an outage of about 8 minutes.
  const opts = {
    removeOnComplete: { count: 100 },
    removeOnFail: { count: 500 },
    attempts: config.JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.JOB_BACKOFF_MS },
  };
  const tz = config.SHOP_TIMEZONE;
  await queue.upsertJobScheduler('outbox-relay', { every: config.OUTBOX_RELAY_INTERVAL_MS }, { name: 'outbox-relay', data: { task: 'outbox-relay' }, opts });
  await queue.upsertJobScheduler('expiry-sweep', { every: config.EXPIRY_SWEEP_INTERVAL_MS }, { name: 'expiry-sweep', data: { task: 'expiry-sweep' }, opts });
  await queue.upsertJobScheduler(
    'expire-stale-reservations',
    { pattern: '0 * * * *', tz },
    { name: 'expire-stale-reservations', data: { task: 'expire-stale-reservations' }, opts },
  );
  await queue.upsertJobScheduler('purge-old-rows', { pattern: config.CLEANUP_CRON, tz }, { name: 'purge-old-rows', data: { task: 'purge-old-rows' }, opts });
  // The admins' daily summary: one scheduler however many processes declare it; gone when the setting is unset.
  if (config.DAILY_SUMMARY_AT) {
    await queue.upsertJobScheduler(
      'daily-summary',
      { pattern: dailySummaryCron(config.DAILY_SUMMARY_AT), tz },
      { name: 'daily-summary', data: { task: 'daily-summary' }, opts },
    );
  } else {
    await queue.removeJobScheduler('daily-summary');
  }
}
