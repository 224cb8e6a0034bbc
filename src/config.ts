import { z } from 'zod';
import { isSessionOffsetSupported, tzOffset } from './time-zone.js';

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
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z
      .string()
      .default('mysql://root@127.0.0.1:3306/quicksell')
      .refine((s) => /^mysql:\/\/[^/]+\/[A-Za-z0-9_]+(\?.*)?$/.test(s), 'must look like mysql://user:pass@host:port/database'),
    DB_POOL_SIZE: int(10, 1, 500),
    REDIS_URL: z
      .string()
      .default('redis://127.0.0.1:6379')
      .refine((s) => /^rediss?:\/\//.test(s), 'must look like redis://host:port'),
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
      .refine((tz) => {
        try {
          return isSessionOffsetSupported(tzOffset(tz));
        } catch {
          return true; // an unknown zone is reported by the check above
        }
      }, 'is beyond UTC+13:00, which MariaDB/MySQL cannot use as a session time zone'),
    CURRENCY: z.string().length(3).default('PHP'),
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

    ADMIN_API_KEY: optionalSecret,
    ADMIN_PSIDS: csv,
    API_RATE_LIMIT: int(300, 0),
    // Fastify trustProxy: '' / false (default), true, a hop count, or comma-separated proxy IPs/CIDRs
    TRUST_PROXY: z
      .string()
      .default('')
      .transform((s): boolean | number | string[] =>
        s === '' || s === 'false' ? false : s === 'true' ? true : /^\d+$/.test(s) ? Number(s) : s.split(',').map((x) => x.trim()),
      ),

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

    SIMULATOR: z.enum(['auto', 'on', 'off']).default('auto'),
    DEMO_SEED: bool.default(true),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production') {
      for (const key of ['FB_PAGE_ACCESS_TOKEN', 'FB_APP_SECRET', 'FB_VERIFY_TOKEN'] as const) {
        if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when NODE_ENV=production' });
      }
      // The simulator answers customers through a fake Graph API: never in production.
      if (c.SIMULATOR === 'on') ctx.addIssue({ code: 'custom', path: ['SIMULATOR'], message: 'cannot be on when NODE_ENV=production' });
    }
  });

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
  const c = parsed.data;
  const simulatorEnabled =
    c.SIMULATOR === 'on' || (c.SIMULATOR === 'auto' && !c.FB_PAGE_ACCESS_TOKEN && c.NODE_ENV !== 'production');
  const publicUrl = (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '');
  // The simulator signs its webhook posts like Messenger does; with no app secret configured it uses
  // a fixed local one (never in production: the schema above requires real values there).
  const simulatorSecrets = simulatorEnabled
    ? { FB_APP_SECRET: c.FB_APP_SECRET ?? 'quicksell-simulator-secret', FB_VERIFY_TOKEN: c.FB_VERIFY_TOKEN ?? 'quicksell-simulator' }
    : {};
  const HOST = c.HOST ?? (simulatorEnabled ? '127.0.0.1' : '0.0.0.0');
  return { ...c, ...simulatorSecrets, HOST, simulatorEnabled, publicUrl };
}
