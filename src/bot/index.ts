import type { FastifyPluginAsync } from 'fastify';
import type { RedisClient } from '../db/redis.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { ReadRows } from '../db/read-rows.js';
import type { AdminService } from '../admins/admin-service.js';
import type { GraphError, SendApi } from './send-api.js';
import { createTurnSends } from './send-once.js';
import type { OrderService } from '../orders/index.js';
import type { Jobs } from '../jobs/index.js';
import { createCartService } from '../orders/cart-service.js';
import { MessengerAdapter } from './messenger-adapter.js';
import { QuickSellBotkit } from './botkit-fixes.js';
import { createRedisStorage } from './redis-storage.js';
import { createTurnRunner, type TurnRunner } from './turn-runner.js';
import { runUnder, type TurnLease } from './turn-lease.js';
import { createWebhookPlugin } from './webhook-plugin.js';
import { APOLOGY, OUTAGE_APOLOGY, createGuards, isTurnOutage } from './safe.js';
import { createReplyLedger } from './reply-ledger.js';
import { createTurnMetrics } from './turn-metrics.js';
import type { Metrics } from '../observability/metrics.js';
import { registerBot } from './router.js';
import type { InboundEvent } from './events.js';
import type { ProductImages } from '../media/product-images.js';
import type { LiveSales } from '../orders/live/live-sales.js';
import { createLiveTurns } from './live/live-turns.js';
import { createHandover } from './handover/handover.js';
import type { TurnFacts } from './turn.js';
import { createLiveMetrics } from './live/live-metrics.js';

export interface BotDeps {
  config: Config;
  db: Db;
  /** the turn's first reads, coalesced across concurrent turns (db/read-rows.ts); default: alone */
  turnReads?: ReadRows;
  /** the multi-statement pool: the reply ledger's claims of concurrent turns go in one transaction */
  batchDb?: Db;
  redis: RedisClient;
  orders: OrderService;
  admins: AdminService;
  sendApi: SendApi;
  jobs: Jobs;
  live: LiveSales;
  logger: Logger;
  metrics: Metrics;
  images: ProductImages;
  /** TURN_PROCESS=worker: this process drains inboxes (ROLE=worker|all); see turn-wake.ts */
  turnsHere?: boolean;
}

export interface Bot {
  /** Fastify plugin with GET/POST /webhook. */
  webhookPlugin: FastifyPluginAsync;
  /** Resolves when this process has no turn running or queued (tests, benchmarks). */
  idle(): Promise<void>;
  /** Chat events given up after an outage outlasted TURN_OUTAGE_DEADLINE_MS (operators: /readyz, /metrics). */
  deadLetterCount(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The Messenger bot: webhook → de-duplication → per-user inbox → one Botkit turn at a time per user,
 * through QuickSell's own Messenger adapter. Replies go straight out through the Send API client;
 * order notifications and admin alerts come from the engine's outbox via the notifications worker.
 */
export async function createBot(deps: BotDeps): Promise<Bot> {
  const { config, redis, logger, sendApi } = deps;
  const log = logger.child({ component: 'bot' });
  const carts = createCartService(deps.db, { maxItemQuantity: config.MAX_ITEM_QUANTITY, read: deps.turnReads });
  const ledger = createReplyLedger(deps.db, { inDoubtAfterMs: config.SEND_API_TIMEOUT_MS + 2000, ...(deps.batchDb ? { batchDb: deps.batchDb } : {}) });
  const onDeliveryUnknown = (err: GraphError) => log.warn({ err }, 'chat reply: delivery unknown (Graph may have shown it); not sent again');
  // a turn's replies (the adapter's) and its sends around Botkit (handover, "in your cart"): once per inbound event
  const sends = createTurnSends(sendApi, ledger, onDeliveryUnknown);
  const adapter = new MessengerAdapter(sends);
  const controller = new QuickSellBotkit({
    adapter,
    storage: createRedisStorage(redis, config.QUEUE_PREFIX),
    disable_webserver: true,
    disable_console: true,
  });
  const handover = createHandover({
    redis,
    prefix: config.QUEUE_PREFIX,
    sendApi,
    sends,
    admins: deps.admins,
    carts,
    logger: log,
    shopName: config.SHOP_NAME,
    currency: config.CURRENCY,
    appId: config.FB_APP_ID,
    inboxAppId: config.FB_PAGE_INBOX_APP_ID,
    timeoutHours: config.HANDOVER_TIMEOUT_HOURS,
  });
  registerBot(controller, { config, orders: deps.orders, carts, admins: deps.admins, logger: log, guard: createGuards(log), images: deps.images, live: deps.live, handover });
  const liveTurns = createLiveTurns({ live: deps.live, sends, logger: log, timeZone: config.SHOP_TIMEZONE, currency: config.CURRENCY });

  const sayToUser = (psid: string, text: string) =>
    sendApi.send({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text, quick_replies: APOLOGY.quick_replies!.map((q) => ({ content_type: 'text' as const, ...q })) } });

  /**
   * A live-sale post's comment, not a chat turn (its inbox key is live:<post id>, never a PSID): an outage
   * is thrown to the runner like a chat turn's (kept at the head of the post's inbox, retried in order),
   * a bug is logged and the comment dropped (nobody to apologise to).
   */
  async function commentTurn(ev: InboundEvent): Promise<void> {
    try {
      await liveTurns.comment(ev);
    } catch (err) {
      if (isTurnOutage(err)) throw err;
      log.error({ err, commentId: ev.comment?.comment_id, postId: ev.comment?.post_id }, 'live comment could not be handled');
      // kept, never lost: if even this write hits an outage, the comment stays at the head of its inbox
      if (ev.comment) await deadLetterComment(ev, 'error', err);
    }
  }

  const liveMetrics = createLiveMetrics(deps.metrics, () => deps.live.deadLetterCount());
  async function deadLetterComment(ev: InboundEvent, reason: 'error' | 'outage', err: unknown, failingSince?: string): Promise<void> {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    await deps.live.deadLetter(ev.comment!, { reason, error, ...(failingSince ? { failingSince: new Date(failingSince) } : {}) });
    liveMetrics.deadLettered();
  }

  /** One turn. An outage is thrown to the runner (the event is kept and retried); a bug gets an apology here. */
  async function runTurn(ev: InboundEvent, lease: TurnLease): Promise<void> {
    if (ev.kind === 'comment') return commentTurn(ev);
    const run = runUnder(ev.dedupeKey, lease); // this run: every send of the turn is keyed by it and checks its lease
    try {
      // independent reads, one round trip's wait: who the user is, whether an admin, and whether a live
      // sale holds units for them (the transaction that carts them runs only then)
      const [customer, admin, liveClaims] = await Promise.all([
        carts.ensureCustomer(ev.psid),
        deps.admins.findByPsid(ev.psid),
        deps.live.hasClaimsToAttach(ev.psid, ev.dedupeKey),
      ]);
      const gate = await handover.gate(ev, run);
      if (gate.mode === 'silent') return; // a person has this thread (or another app does)
      if (liveClaims) await liveTurns.beforeTurn(ev, customer, run);
      await adapter.processEvent(ev, { customer, admin, notUnderstoodStreak: gate.streak } satisfies TurnFacts, (ctx) => controller.handleTurn(ctx), run);
    } catch (err) {
      if (isTurnOutage(err)) throw err;
      log.error({ err, psid: ev.psid, kind: ev.kind }, 'bot turn failed');
      await sayToUser(ev.psid, APOLOGY.text!).catch((sendErr) => log.warn({ err: sendErr, psid: ev.psid }, 'could not send the apology'));
    }
  }

  // POST /webhook requests in this process; with TURN_BUSY_WEBHOOK_POSTS or more in flight, turns yield to them
  const webhookLoad = { count: 0 };
  const runner: TurnRunner = createTurnRunner({
    redis,
    prefix: config.QUEUE_PREFIX,
    logger: log,
    runTurn,
    isRetryable: isTurnOutage,
    onDeadLetter: async (ev, entry) => {
      // no customer to tell: the comment is kept in live_comment_dead_letters (and the dead-letter list)
      if (ev.kind === 'comment') return ev.comment ? deadLetterComment(ev, 'outage', entry.error, entry.failingSince) : undefined;
      await sayToUser(ev.psid, OUTAGE_APOLOGY);
    },
    observer: createTurnMetrics(deps.metrics, () => runner.deadLetterCount()),
    lockMs: config.TURN_LOCK_MS,
    sweepMs: config.TURN_SWEEP_MS,
    turnTimeoutMs: config.TURN_TIMEOUT_MS,
    retryBackoffMs: config.TURN_RETRY_BACKOFF_MS,
    outageDeadlineMs: config.TURN_OUTAGE_DEADLINE_MS,
    maxConcurrent: config.TURN_MAX_CONCURRENT,
    busy: () => webhookLoad.count >= config.TURN_BUSY_WEBHOOK_POSTS,
    busyConcurrent: config.TURN_BUSY_CONCURRENT,
    // TURN_PROCESS=worker: acks wake the turn processes through Redis, which wait on a connection of their own
    wake: config.TURN_PROCESS === 'worker',
    ...(config.TURN_PROCESS === 'worker' && deps.turnsHere ? { listen: (redis as { duplicate(): RedisClient }).duplicate() } : {}),
  });
  const webhookPlugin = createWebhookPlugin({
    appSecret: config.FB_APP_SECRET,
    verifyToken: config.FB_VERIFY_TOKEN,
    runner,
    logger: log,
    inFlight: webhookLoad,
  });

  return {
    webhookPlugin,
    idle: () => runner.idle(),
    deadLetterCount: () => runner.deadLetterCount(),
    close: () => runner.close(),
  };
}
