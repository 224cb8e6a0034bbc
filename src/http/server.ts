import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { RedisClient } from '../db/redis.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { AdminService } from '../admins/admin-service.js';
import type { OrderService } from '../orders/index.js';
import type { Jobs } from '../jobs/index.js';
import type { Metrics } from '../observability/metrics.js';
import { MAX_BODY_BYTES, checkQueryEncoding, registerBodyParsers } from './body-parsers.js';
import { frameworkErrorHandler, installErrorHandlers } from './errors.js';
import { useZodValidation } from './validation.js';
import { healthRoutes } from './health-routes.js';
import { bearerAuth } from './auth.js';
import { registerApiLimits } from './rate-limit.js';
import { createIdempotency } from './idempotency.js';
import { orderRoutes } from './order-routes.js';
import { productRoutes } from './product-routes.js';
import { liveSaleRoutes } from './live-routes.js';
import type { LiveSales } from '../orders/live/live-sales.js';
import { REQUEST_ID_HEADER, genReqId } from './request-id.js';
import { registerOpenApi } from './openapi.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** every route as registered (method, url): tests check the OpenAPI document covers /api */
    routeList: { method: string; url: string }[];
  }
}
import { mediaApiRoutes, publicMediaRoutes } from './media-routes.js';
import type { MediaStore } from '../media/media-store.js';
import type { ProductImages } from '../media/product-images.js';

export interface HttpDeps {
  config: Config;
  logger: Logger;
  db: Db;
  /** /readyz's pool (app.ts), apart from the work's */
  readinessDb: Db;
  redis: RedisClient;
  orders: OrderService;
  admins: AdminService;
  metrics: Metrics;
  jobs: Jobs;
  live: LiveSales;
  media: MediaStore;
  images: ProductImages;
  /** Routes owned by other features: the webhook, the queue dashboard, the simulator. */
  plugins: FastifyPluginAsync[];
}

/**
 * /api: per-IP limit → bearer auth → per-admin limit → (body parsing and schema validation) →
 * Idempotency-Key → handler. Registered as its own encapsulated context so none of it touches
 * /webhook, /healthz or the other features' routes.
 */
function apiPlugin(deps: HttpDeps): FastifyPluginAsync {
  return async (app) => {
    // zod route schemas here only: other features' routes keep Fastify's JSON-schema validation
    useZodValidation(app);
    // responses are documented with zod (OpenAPI) but sent as they are: no response filtering
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    const limits = await registerApiLimits(app, {
      redis: deps.redis,
      perMinute: deps.config.API_RATE_LIMIT,
      nameSpace: `${deps.config.QUEUE_PREFIX}:ratelimit:`,
    });
    if (limits) app.addHook('onRequest', limits.byIp);
    app.addHook('onRequest', bearerAuth(deps.admins, { cacheMs: deps.config.API_KEY_CACHE_MS }));
    app.addHook('onRequest', checkQueryEncoding);
    if (limits) app.addHook('onRequest', limits.byAdmin);
    const idempotency = createIdempotency(deps.db, { leaseMs: deps.config.IDEMPOTENCY_LEASE_MS });
    app.addHook('preHandler', idempotency.preHandler);
    app.addHook('onSend', idempotency.onSend);
    app.addHook('onResponse', idempotency.onResponse);
    await app.register(orderRoutes(deps.orders, deps.config));
    await app.register(productRoutes(deps.orders));
    await app.register(liveSaleRoutes(deps.live));
    await app.register(mediaApiRoutes(deps));
  };
}

/** Builds the Fastify app (does not listen): parsers, error shapes, health, /api, then other features' plugins. */
export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: MAX_BODY_BYTES,
    // long enough that an absurd id reaches the schema (a 400 naming the field), not the router's 414
    routerOptions: { maxParamLength: 1000 },
    frameworkErrors: frameworkErrorHandler,
    // Fastify accepts a hop count at runtime (proxy-addr), though its option type omits number.
    trustProxy: deps.config.TRUST_PROXY as boolean | string[],
    // genReqId checks the incoming X-Request-Id itself (Fastify's requestIdHeader would take it verbatim)
    requestIdHeader: false,
    genReqId,
  }) as unknown as FastifyInstance;
  app.decorateRequest('admin', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  installErrorHandlers(app);
  await registerBodyParsers(app);
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.observeHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  await registerOpenApi(app, '0.1.0');
  app.decorate('routeList', [] as { method: string; url: string }[]);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) app.routeList.push({ method, url: r.url });
  });
  await app.register(healthRoutes({ readinessDb: deps.readinessDb, redis: deps.redis, logger: deps.logger }));
  await app.register(apiPlugin(deps));
  await app.register(publicMediaRoutes(deps.media));
  for (const p of deps.plugins) await app.register(p);
  return app;
}
