import { createHash } from 'node:crypto';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * What a log line may hold. Every logger of the app is built here (Fastify's request loggers are its
 * children and inherit the serializers): secrets are redacted by path; errors keep their kind and lose
 * their data; request URLs keep their parameter names and lose the values.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["idempotency-key"]',
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

/** Error properties that may carry personal data or SQL text: never logged. */
const DROPPED = new Set(['sql', 'sqlMessage', 'parameters', 'values', 'params', 'body', 'payload', 'config', 'request', 'response']);

/**
 * Quoted literals in a database message are values ("Duplicate entry '0917…' for key …", "… near
 * 'Juan', '0917…'"); the identifiers after column / key / table / constraint / in stay readable.
 */
export function maskQuotedValues(message: string): string {
  return message.replace(/(\b(?:column|key|table|constraint|procedure|function|database|field|in)\s+)?'((?:[^'\\]|\\.|'')*)'/gi, (all, keep: string | undefined) =>
    keep ? all : "'…'",
  );
}

/** The first words of a statement (its kind and table), never its values. */
export function statementHead(sql: unknown): string | undefined {
  if (typeof sql !== 'string') return undefined;
  return /^\s*([A-Za-z]+(?:\s+[A-Za-z_][\w.]*){0,2})/.exec(sql)?.[1];
}

/** pino serializer for `err` / `error`: type, message (values masked), code, errno, sqlState, statement, stack. */
export function serializeError(err: unknown, depth = 0): unknown {
  if (typeof err === 'string') return maskQuotedValues(err);
  if (err === null || typeof err !== 'object') return err;
  const e = err as Record<string, unknown> & { message?: unknown; stack?: unknown; cause?: unknown };
  const out: Record<string, unknown> = { type: (e.constructor as { name?: string } | undefined)?.name ?? 'Object' };
  if (typeof e.message === 'string') out.message = maskQuotedValues(e.message);
  for (const [k, v] of Object.entries(e)) {
    if (DROPPED.has(k) || k === 'message' || k === 'stack' || k === 'cause') continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = typeof v === 'string' ? maskQuotedValues(v) : v;
  }
  const head = statementHead(e.sql);
  if (head) out.statement = head;
  if (typeof e.stack === 'string') out.stack = maskQuotedValues(e.stack);
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/** Request URL with every query value replaced: /webhook?hub.mode=…&hub.verify_token=… */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=')[0]}=…`);
  return `${url.slice(0, q)}?${names.join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * A PSID as a short stable tag (the same person reads the same in every line, without the id itself):
 * to find someone's lines, compute psidTag(their PSID).
 */
export function psidTag(psid: unknown): unknown {
  if (typeof psid !== 'string' || psid === '') return psid;
  return `psid#${createHash('sha256').update(psid).digest('hex').slice(0, 10)}`;
}

export const LOG_SERIALIZERS = {
  psid: psidTag,
  err: (e: unknown) => serializeError(e),
  error: (e: unknown) => serializeError(e),
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: safeUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
  // recordError's fallback line (engine-context.ts): its message is a database error's
  failure: (f: unknown) =>
    f && typeof f === 'object' ? { ...(f as object), message: serializeError((f as { message?: unknown }).message) } : f,
};

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: LOG_SERIALIZERS };
}

/**
 * The app's logger: JSON lines by default (what a log collector reads); `pretty` sends them through
 * pino-pretty (a devDependency) for a person at a terminal (src/main.ts asks for it when stdout is a
 * TTY). Tests pass a destination to read the lines.
 */
export function createLogger(level: string, destination?: DestinationStream, opts: { pretty?: boolean } = {}): Logger {
  if (opts.pretty) {
    const transport = { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } };
    return pino({ ...loggerOptions(level), transport });
  }
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
