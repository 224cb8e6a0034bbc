import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { AdminService } from '../admins/admin-service.js';
import type { SendApi } from './send-api.js';
import type { OrderService } from '../orders/index.js';
import type { Jobs } from '../jobs/index.js';
import { createCartService } from '../orders/cart-service.js';
import { MessengerAdapter } from './messenger-adapter.js';
import { QuickSellBotkit } from './botkit-fixes.js';
import { createRedisStorage } from './redis-storage.js';
import { createTurnRunner, type TurnRunner } from './turn-runner.js';
import { createWebhookPlugin } from './webhook-plugin.js';
import { APOLOGY, createGuards } from './safe.js';
import { registerBot } from './router.js';
import type { InboundEvent } from './events.js';
import type { LiveSales } from '../orders/live/live-sales.js';
import { createLiveTurns } from './live/live-turns.js';
import { createHandover } from './handover/handover.js';

export interface BotDeps {
  config: Config;
  db: Db;
  redis: Redis;
  orders: OrderService;
  admins: AdminService;
  sendApi: SendApi;
  jobs: Jobs;
  live: LiveSales;
  logger: Logger;
}

export interface Bot {
  /** Fastify plugin with GET/POST /webhook. */
  webhookPlugin: FastifyPluginAsync;
  /** Resolves when this process has no turn running or queued (tests, benchmarks). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** A turn stuck longer than this (a hung Graph call, a Botkit trap) is abandoned so the user's inbox moves on. */
const TURN_TIMEOUT_MS = 25_000;

/**
 * The Messenger bot: webhook → de-duplication → per-user inbox → one Botkit turn at a time per user,
 * through QuickSell's own Messenger adapter. Replies go straight out through the Send API client;
 * order notifications and admin alerts come from the engine's outbox via the notifications worker.
 */
export async function createBot(deps: BotDeps): Promise<Bot> {
  const { config, redis, logger, sendApi } = deps;
  const log = logger.child({ component: 'bot' });
  const carts = createCartService(deps.db, { maxItemQuantity: config.MAX_ITEM_QUANTITY });
  const adapter = new MessengerAdapter(sendApi);
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
    admins: deps.admins,
    carts,
    logger: log,
    shopName: config.SHOP_NAME,
    appId: config.FB_APP_ID,
    inboxAppId: config.FB_PAGE_INBOX_APP_ID,
    timeoutHours: config.HANDOVER_TIMEOUT_HOURS,
  });
  registerBot(controller, { config, orders: deps.orders, carts, admins: deps.admins, logger: log, guard: createGuards(log), live: deps.live, handover });
  const liveTurns = createLiveTurns({ live: deps.live, sendApi, logger: log, timeZone: config.SHOP_TIMEZONE });

  async function runTurn(ev: InboundEvent): Promise<void> {
    if (ev.kind === 'comment') return liveTurns.comment(ev); // a live-sale post's comment, not a chat turn
    try {
      const customer = await carts.ensureCustomer(ev.psid);
      const admin = await deps.admins.findByPsid(ev.psid);
      if ((await handover.gate(ev)) === 'silent') return; // a person has this thread (or another app does)
      await liveTurns.beforeTurn(ev, customer);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`turn took longer than ${TURN_TIMEOUT_MS} ms`)), TURN_TIMEOUT_MS);
      });
      try {
        await Promise.race([adapter.processEvent(ev, { customer, admin }, (ctx) => controller.handleTurn(ctx)), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      log.error({ err, psid: ev.psid, kind: ev.kind }, 'bot turn failed');
      await sendApi
        .send({ recipient: { id: ev.psid }, messaging_type: 'RESPONSE', message: { text: APOLOGY.text!, quick_replies: APOLOGY.quick_replies!.map((q) => ({ content_type: 'text' as const, ...q })) } })
        .catch((sendErr) => log.warn({ err: sendErr, psid: ev.psid }, 'could not send the apology'));
    }
  }

  const runner: TurnRunner = createTurnRunner({ redis, prefix: config.QUEUE_PREFIX, logger: log, runTurn });
  const webhookPlugin = createWebhookPlugin({
    appSecret: config.FB_APP_SECRET,
    verifyToken: config.FB_VERIFY_TOKEN,
    runner,
    logger: log,
  });

  return {
    webhookPlugin,
    idle: () => runner.idle(),
    close: () => runner.close(),
  };
}
