import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { RedisClient } from '../db/redis.js';
import { HttpFailure } from './errors.js';

/**
 * Per-IP and per-key request limits on /api, API_RATE_LIMIT requests per minute each, counted in Redis
 * so every web process shares one budget. The IP limit runs before authentication (it also slows key
 * guessing); the key limit runs after it, keyed by the admin, never by the key itself. If Redis is down
 * the limits are skipped rather than refusing or delaying orders.
 */
export interface ApiLimits {
  byIp: onRequestAsyncHookHandler;
  byAdmin: onRequestAsyncHookHandler;
}

const WINDOW_MS = 60_000;
const DOWN = new Set(['reconnecting', 'close', 'end']);

function limited(ttlSeconds: number): HttpFailure {
  const after = String(Math.max(1, ttlSeconds));
  return new HttpFailure(429, 'RATE_LIMITED', `Too many requests; retry in ${after} s`, undefined, { 'retry-after': after });
}

export async function registerApiLimits(
  app: FastifyInstance,
  opts: { redis: RedisClient; perMinute: number; nameSpace: string },
): Promise<ApiLimits | null> {
  if (opts.perMinute <= 0) return null;
  await app.register(rateLimit, {
    global: false,
    max: opts.perMinute,
    timeWindow: WINDOW_MS,
    redis: opts.redis,
    nameSpace: opts.nameSpace,
    skipOnError: true,
  });
  const check = (keyOf: (req: FastifyRequest) => string): onRequestAsyncHookHandler => {
    const limiter = app.createRateLimit({ keyGenerator: keyOf });
    return async (request, reply) => {
      // Redis known down: skip at once rather than hold every order for ioredis' reconnect back-off
      // (still connecting at start-up is not down: the command just waits for the connection).
      if (DOWN.has(opts.redis.status)) return;
      const result = await limiter(request);
      if (result.isAllowed) return;
      reply.header('x-ratelimit-limit', result.max);
      reply.header('x-ratelimit-remaining', result.remaining);
      if (result.isExceeded) throw limited(result.ttlInSeconds);
    };
  };
  return {
    byIp: check((req) => `ip:${normalizeIP(req.ip, 64)}`),
    byAdmin: check((req) => `admin:${req.admin?.id ?? 'root'}`),
  };
}
