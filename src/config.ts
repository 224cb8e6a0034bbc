import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { fixedOffsetProblem, isSessionOffsetSupported, tzOffset } from './time-zone.js';
import { isClusterUrl, parseClusterUrl } from './db/redis-url.js';

/**
 * One zod schema for the whole environment. Every key is listed, with a one-line comment,
 * in .env.example. Defaults let a fresh machine run with no .env at all.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
const pesos = (def: number) => z.coerce.number().min(0).max(100_000_000).default(def);
const csv = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const optionalSecret = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() ? s.trim() : undefined));

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    ROLE: z.enum(['all', 'web', 'worker']).default('all'),
    HOST: z.string().min(1).optional(),
    PORT: int(3000, 0, 65535),
    PUBLIC_URL: z.url().optional(),
    // the operators' listener (/metrics): loopback by default, 0 = none; beyond loopback only with a token
    METRICS_PORT: int(9464, 0, 65535),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    METRICS_TOKEN: optionalSecret.refine((k) => k === undefined || k.length >= 32, 'must be at least 32 characters (or unset)'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z
      .string()
      .default('mysql://root@127.0.0.1:3306/quicksell')
      .refine((s) => /^mysql:\/\/[^/]+\/[A-Za-z0-9_]+(\?.*)?$/.test(s), 'must look like mysql://user:pass@host:port/database'),
    DB_POOL_SIZE: int(10, 1, 500),
    REDIS_URL: z
      .string()
      .default('redis://127.0.0.1:6379')
      .refine(
        (s) => /^rediss?:\/\//.test(s) || /^rediss?\+cluster:\/\/./.test(s),
        'must look like redis://host:port, or redis+cluster://host:port,host:port for a Redis Cluster',
      ),
    // Redis Cluster seed nodes (host:port,host:port); when set, REDIS_URL's user and password are used with them
    REDIS_CLUSTER_NODES: csv,
    QUEUE_PREFIX: z.string().min(1).default('{quicksell}'),

    SHOP_NAME: z.string().min(1).default('QuickSell Demo Shop'),
    SHOP_TIMEZONE: z
      .string()
      .default('Asia/Manila')
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Asia/Manila')
      .superRefine((tz, ctx) => {
        let problem: string | null;
        try {
          problem = fixedOffsetProblem(tz) ?? (isSessionOffsetSupported(tzOffset(tz)) ? null : 'is beyond UTC+13:00, which MariaDB/MySQL cannot use as a session time zone');
        } catch {
          return; // an unknown zone is reported by the check above
        }
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    CURRENCY: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as PHP or USD').default('PHP'),
    RESERVATION_TTL_MINUTES: int(24 * 60, 1, 60 * 24 * 30),
    MAX_ITEM_QUANTITY: int(100, 1, 100_000),
    MAX_ORDER_LINES: int(50, 1, 1000),
    PAYMENT_METHODS: z
      .string()
      .default('cod,gcash,bank_transfer')
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
    GCASH_NUMBER: z.string().default('09171234567'),
    GCASH_NAME: z.string().default('QuickSell Demo Shop'),
    BANK_DETAILS: z.string().default('BDO Savings 0012-3456-7890, QuickSell Demo Shop'),

    FRAUD_HIGH_VALUE: pesos(50_000),
    FRAUD_COD_LIMIT: pesos(20_000),
    FRAUD_MAX_ORDERS_PER_HOUR: int(5, 1),
    FRAUD_DUPLICATE_WINDOW_MINUTES: int(10, 0),
    FRAUD_VERIFY_SCORE: int(50, 0, 1000),
    FRAUD_BLOCKED_PHONES: csv,

    // the root key is as strong as its length: 32 characters at least (`npm run admin -- add` makes 46)
    ADMIN_API_KEY: optionalSecret.refine((k) => k === undefined || k.length >= 32, 'must be at least 32 characters (or unset)'),
    ADMIN_PSIDS: csv,
    API_RATE_LIMIT: int(300, 0),
    // how long a verified API key is trusted without asking the database again: a revoked key still works
    // for up to this long in a process that saw it used (10 s at most); 0 asks on every request
    API_KEY_CACHE_MS: int(1000, 0, 10_000),
    // Fastify trustProxy: '' / false (default), a hop count, or comma-separated proxy IPs/CIDRs. Never
    // `true`: trusting every X-Forwarded-For hop lets any client pick its own IP (and its rate-limit bucket)
    TRUST_PROXY: z
      .string()
      .default('')
      .transform((s, ctx): false | number | string[] => {
        if (s === '' || s === 'false') return false;
        if (/^\d+$/.test(s)) return Number(s);
        const list = s.split(',').map((x) => x.trim()).filter(Boolean);
        if (list.length > 0 && list.every(isProxyAddress)) return list;
        ctx.addIssue({ code: 'custom', message: 'must be a hop count (e.g. 1) or comma-separated proxy IPs/CIDRs (e.g. 10.0.0.0/8), not true' });
        return z.NEVER;
      }),

    FB_PAGE_ACCESS_TOKEN: optionalSecret,
    FB_APP_SECRET: optionalSecret,
    FB_VERIFY_TOKEN: optionalSecret,
    GRAPH_API_URL: z.url().default('https://graph.facebook.com'),
    GRAPH_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'must look like v24.0').default('v24.0'),
    SEND_API_RATE_PER_SECOND: int(50, 1, 300),
    NOTIFICATION_CONCURRENCY: int(10, 1, 500),
    SEND_API_TIMEOUT_MS: int(10_000, 100, 120_000),
    JOB_ATTEMPTS: int(8, 1, 100),
    JOB_BACKOFF_MS: int(2000, 1),
    RATE_LIMIT_BACKOFF_MS: int(60_000, 1),
    WORKER_LOCK_MS: int(30_000, 500),
    WORKER_STALLED_INTERVAL_MS: int(30_000, 100),
    OUTBOX_REPUBLISH_AFTER_MS: int(300_000, 1000),

    OUTBOX_RELAY_INTERVAL_MS: int(5000, 100),
    EXPIRY_SWEEP_INTERVAL_MS: int(60_000, 1000),
    CLEANUP_CRON: z.string().default('15 3 * * *'),
    // the admins' daily "🧾 Today" push, HH:MM (24-hour) in SHOP_TIMEZONE; unset = no push
    DAILY_SUMMARY_AT: z
      .string()
      .trim()
      .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM, 24-hour, in SHOP_TIMEZONE (e.g. 21:00), or unset for no daily summary')
      .transform((s) => s.padStart(5, '0'))
      .optional(),
    RETENTION_DAYS: int(30, 1),
    METRICS_RETENTION_DAYS: int(90, 1),
    SHUTDOWN_TIMEOUT_MS: int(9000, 100),

    // --- live selling and human handover (src/orders/live, src/bot/live) ---
    LIVE_CLAIM_WORDS: csv,
    LIVE_HOLD_MINUTES: z.coerce.number().positive().max(7 * 24 * 60).default(30),
    LIVE_TALLY_INTERVAL_SECONDS: int(15, 0, 3600),
    FB_APP_ID: z.string().regex(/^\d*$/, 'must be the numeric app id').default(''),
    FB_PAGE_INBOX_APP_ID: z.string().regex(/^\d+$/, 'must be the numeric app id').default('263902037430900'),
    HANDOVER_TIMEOUT_HOURS: z.coerce.number().positive().max(24 * 30).default(24),

    TURN_LOCK_MS: int(5000, 300, 120_000),
    TURN_SWEEP_MS: int(2000, 50, 60_000),
    TURN_TIMEOUT_MS: int(25_000, 100),
    TURN_RETRY_BACKOFF_MS: int(1000, 10, 60_000),
    TURN_OUTAGE_DEADLINE_MS: int(300_000, 100),
    TURN_MAX_CONCURRENT: int(64, 1, 1000),
    TURN_BUSY_WEBHOOK_POSTS: int(8, 1, 100_000),
    TURN_BUSY_CONCURRENT: int(4, 1, 1000),
    // where chat turns run: 'web' (the process that acks the webhook drains its users' inboxes) or 'worker'
    // (ROLE=web only acks; ROLE=worker and ROLE=all processes drain, woken through Redis): docs/operations.md
    TURN_PROCESS: z.enum(['web', 'worker']).default('web'),
    WORKER_HTTP_PORT: int(3001, 0, 65535),
    IDEMPOTENCY_LEASE_MS: int(10_000, 1000, 600_000),
    MEDIA_MAX_BYTES: int(8 * 1024 * 1024, 1024, 15 * 1024 * 1024),
    MEDIA_ALLOWED_HOSTS: z
      .string()
      .default('fbcdn.net,fbsbx.com')
      .transform((s) => s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean)),
    MEDIA_CONNECT_TIMEOUT_MS: int(5000, 100, 60_000),
    MEDIA_READ_TIMEOUT_MS: int(15_000, 100, 120_000),

    SIMULATOR: z.enum(['auto', 'on', 'off']).default('auto'),
    // the simulator's page has no login: listening beyond loopback with it on must be asked for
    SIMULATOR_PUBLIC: bool.default(false),
    DEMO_SEED: bool.default(true),
  })
  .superRefine((c, ctx) => {
    const url = clusterUrl(c.REDIS_URL, c.REDIS_CLUSTER_NODES);
    if (isClusterUrl(url)) {
      try {
        parseClusterUrl(url);
      } catch (err) {
        const key = c.REDIS_CLUSTER_NODES.length ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';
        ctx.addIssue({ code: 'custom', path: [key], message: (err as Error).message });
      }
      // Every multi-key operation (BullMQ's scripts, the chat inboxes, de-dup) must stay in one slot.
      if (!/\{[^}]+\}/.test(c.QUEUE_PREFIX)) {
        ctx.addIssue({ code: 'custom', path: ['QUEUE_PREFIX'], message: 'must contain a {hash tag} (e.g. {quicksell}) on a Redis Cluster' });
      }
    }
    if (c.NODE_ENV === 'production') {
      for (const key of ['FB_PAGE_ACCESS_TOKEN', 'FB_APP_SECRET', 'FB_VERIFY_TOKEN'] as const) {
        if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when NODE_ENV=production' });
      }
      // The simulator answers customers through a fake Graph API: never in production.
      if (c.SIMULATOR === 'on') ctx.addIssue({ code: 'custom', path: ['SIMULATOR'], message: 'cannot be on when NODE_ENV=production' });
    }
    if (c.METRICS_PORT > 0 && !isLoopback(c.METRICS_HOST) && !c.METRICS_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_HOST'], message: `${c.METRICS_HOST} would publish order and queue figures: set METRICS_TOKEN too (scrapers send it as a bearer token)` });
    }
    // Beside a real Page the simulator's anonymous page would act for real customers and admins.
    if (c.SIMULATOR === 'on' && c.FB_PAGE_ACCESS_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SIMULATOR'], message: 'cannot be on while FB_PAGE_ACCESS_TOKEN is set (unset one of them)' });
    }
  });

/** 127.0.0.1, ::1 or localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isProxyAddress(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length || !ip || !isIP(ip)) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (isIP(ip) === 4 ? 32 : 128));
}

export type Config = Omit<z.infer<typeof configSchema>, 'HOST'> & {
  /** listen address: 0.0.0.0, or 127.0.0.1 in simulator mode (its admin pane has no login) unless HOST is set */
  HOST: string;
  /** true when no Page token is configured and we are not in production: the local simulator runs. */
  simulatorEnabled: boolean;
  publicUrl: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse the environment once; a bad value throws a ConfigError that names the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value (`PUBLIC_URL=` copied from .env.example) means "use the default".
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = configSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = { ...parsed.data, REDIS_URL: clusterUrl(parsed.data.REDIS_URL, parsed.data.REDIS_CLUSTER_NODES) };
  const simulatorEnabled =
    c.SIMULATOR === 'on' || (c.SIMULATOR === 'auto' && !c.FB_PAGE_ACCESS_TOKEN && c.NODE_ENV !== 'production');
  const publicUrl = (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '');
  // The simulator signs its webhook posts like Messenger does, with a secret of its own made for this
  // process: never a configured (real) app secret or verify token, which anyone on its page could use.
  const simulatorSecrets = simulatorEnabled
    ? { FB_APP_SECRET: randomBytes(32).toString('hex'), FB_VERIFY_TOKEN: randomBytes(16).toString('hex') }
    : {};
  const HOST = c.HOST ?? (simulatorEnabled ? '127.0.0.1' : '0.0.0.0');
  if (simulatorEnabled && !isLoopback(HOST) && !c.SIMULATOR_PUBLIC) {
    throw new ConfigError(
      `Invalid configuration:\n  HOST: ${HOST} would open the simulator, whose page has no login, beyond this machine; ` +
        'listen on 127.0.0.1, configure a Page token, or set SIMULATOR_PUBLIC=true to allow it',
    );
  }
  return { ...c, ...simulatorSecrets, HOST, simulatorEnabled, publicUrl };
}

/**
 * REDIS_CLUSTER_NODES given: one redis+cluster:// URL with those seeds and REDIS_URL's credentials and TLS,
 * so the rest of the app passes a single string around (and child processes inherit it as is).
 */
function clusterUrl(redisUrl: string, nodes: string[]): string {
  if (!nodes.length) return redisUrl;
  const m = /^(rediss?)(?:\+cluster)?:\/\/(?:([^@/]*)@)?/.exec(redisUrl);
  const scheme = m?.[1] ?? 'redis';
  const auth = m?.[2] ? `${m[2]}@` : '';
  return `${scheme}+cluster://${auth}${nodes.join(',')}`;
}
