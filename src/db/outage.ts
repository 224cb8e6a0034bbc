/**
 * Outage or bug? An outage is a failure of something we depend on that is expected to pass by itself: MySQL
 * or Redis unreachable or restarting, a connection lost mid-query, the pool unable to connect, a deadlock or
 * a lock wait timeout. Work that failed on an outage is kept and retried; anything else is a bug (or bad
 * data) and fails at once. Decided from error codes only, never from where the error was thrown.
 */

/** Node socket codes: the peer is not there (yet), or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** mysql2 codes: connection-level failures, server going away, transient lock conflicts. */
const MYSQL_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_OPTION_PREVENTS_STATEMENT', // --read-only during a primary switch-over
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);
/** The same by MySQL error number (some drivers and wrapped errors keep only errno). */
const MYSQL_ERRNOS = new Set([1040, 1053, 1205, 1213, 1290, 1317, 1927, 2002, 2003, 2006, 2013, 4031]);

/** ioredis / Redis Cluster: the connection or the cluster is not usable right now. */
const REDIS_MESSAGES = [
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /max retries per request/i,
  /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY)\b/,
  /Failed to refresh slots cache/i,
  /None of startup nodes is available/i,
];
const REDIS_ERROR_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

/** mysql2 pool: no connection could be had in time. */
const POOL_MESSAGES = [/Queue limit reached/i, /No connections available/i, /Timeout acquiring/i, /Pool is closed/i];

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  name?: unknown;
  message?: unknown;
  fatal?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function isOutageOne(e: ErrorLike): boolean {
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || MYSQL_CODES.has(code)) return true;
  if (typeof e.errno === 'number' && MYSQL_ERRNOS.has(e.errno) && /^ER_|^$|^PROTOCOL/.test(code)) return true;
  if (e.fatal === true && code !== '') return true; // mysql2: the connection is unusable
  if (typeof e.name === 'string' && REDIS_ERROR_NAMES.has(e.name)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return REDIS_MESSAGES.some((re) => re.test(message)) || POOL_MESSAGES.some((re) => re.test(message));
}

/** True when err (or an error it wraps: cause, AggregateError) is an outage of MySQL, Redis or the network. */
export function isOutage(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as ErrorLike;
  if (isOutageOne(e)) return true;
  if (e.cause && isOutage(e.cause, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.some((x) => isOutage(x, depth + 1));
}
