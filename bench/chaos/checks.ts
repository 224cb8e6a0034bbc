import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Queue } from 'bullmq';
import { masterConnections, type RedisClient } from '../../src/db/redis.js';
import { jobIds, QUEUES } from '../../src/jobs/queues.js';
import type { Arrival, ChaosGraph } from './chaos-graph.js';
import { RECEIPT } from './customers.js';
import type { ApiOrderResult } from './admins-and-api.js';

/**
 * The promise, checked at the end of a chaos run (and of its short variant in the test suite). Each check
 * is one line: ok, or a violation with what breaks it. Nothing here trusts the app's own bookkeeping
 * alone: deliveries are what the chaos Graph counted when they arrived.
 */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface CheckInput {
  db: Pool;
  redis: RedisClient;
  prefix: string;
  queues: Queue[];
  graph: ChaosGraph;
  /** PSIDs of the simulated customers */
  customerPsids: string[];
  api: ApiOrderResult[];
  /** when each user posted events: the same message twice with no event of theirs between is a re-send */
  postedAt: Map<string, number[]>;
  /** a reservation may be past its expiry for at most this long (the expiry sweep's interval and margin) */
  expiryGraceSeconds: number;
}

const sample = (xs: unknown[], n = 5) => xs.slice(0, n).map(String).join(', ') + (xs.length > n ? ` … (${xs.length})` : '');
const check = (name: string, bad: unknown[], okDetail: string, badDetail: string): Check =>
  bad.length ? { name, ok: false, detail: `${badDetail}: ${sample(bad)}` } : { name, ok: true, detail: okDetail };

async function rows(db: Pool, sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const [r] = await db.query<RowDataPacket[]>(sql, params);
  return r;
}

const STATUS_RANK: Record<string, number> = {
  order_received: 0, order_confirmed: 1, order_processing: 2, order_shipped: 3, order_delivered: 4, order_cancelled: 5, order_expired: 5,
};

export async function runChecks(input: CheckInput): Promise<Check[]> {
  const { db, graph } = input;
  const out: Check[] = [];
  const delivered = graph.arrivals.filter((a) => a.fate === 'ok' || a.fate === 'slow');
  const byMessageId = new Map(delivered.map((a) => [a.message_id!, a]));

  // 1. orders placed = customers who saw a success message (chat), one order per Idempotency-Key (REST)
  const psids = input.customerPsids.length ? input.customerPsids : ['-'];
  const placed = await rows(db, `SELECT o.order_number, u.psid FROM orders o JOIN users u ON u.id = o.user_id WHERE u.psid IN (?) AND o.order_source = 'messenger'`, [psids]);
  const seen = new Map<string, string>();
  for (const psid of input.customerPsids) {
    for (const a of graph.deliveredTo(psid)) {
      const m = RECEIPT.exec(a.message.text ?? '');
      if (m) seen.set(m[1]!, psid);
    }
  }
  const placedNumbers = new Set(placed.map((r) => String(r.order_number)));
  const unseen = [...placedNumbers].filter((n) => !seen.has(n)).map((n) => `${n} placed, no success message`);
  const phantom = [...seen.keys()].filter((n) => !placedNumbers.has(n)).map((n) => `${n} announced, not in the database`);
  out.push(check('orders placed = customers who saw a success message', [...unseen, ...phantom], `${placedNumbers.size} chat orders, ${seen.size} success messages`, `${unseen.length + phantom.length} differ`));

  const apiKeys = input.api.filter((r) => r.orderIds.size > 0);
  const apiMulti = input.api.filter((r) => r.orderIds.size > 1).map((r) => `${r.key} → ${[...r.orderIds].join('/')}`);
  const apiIds = [...new Set(apiKeys.flatMap((r) => [...r.orderIds]))];
  const [apiRow] = apiIds.length ? await rows(db, 'SELECT COUNT(*) AS n FROM orders WHERE id IN (?)', [apiIds]) : [{ n: 0 }];
  const apiMissing = apiIds.length - Number(apiRow!.n);
  out.push(check('one order per Idempotency-Key (REST, each sent 3 times)', [...apiMulti, ...(apiMissing ? [`${apiMissing} answered ids not in the database`] : [])], `${apiKeys.length} keys → ${apiIds.length} orders`, 'violations'));

  // 2-3. inventory
  const below = await rows(db, 'SELECT id, stock_quantity, reserved_quantity FROM products WHERE stock_quantity < 0 OR reserved_quantity < 0 OR stock_quantity - reserved_quantity < 0');
  out.push(check('no product below zero available', below.map((r) => `product ${r.id}: stock ${r.stock_quantity}, reserved ${r.reserved_quantity}`), 'every product ≥ 0 available', 'oversold'));
  const mismatch = await rows(
    db,
    `SELECT p.id, p.reserved_quantity, COALESCE(SUM(r.quantity), 0) AS open_qty
       FROM products p LEFT JOIN inventory_reservations r ON r.product_id = p.id AND r.status = 'reserved'
      GROUP BY p.id, p.reserved_quantity HAVING open_qty <> p.reserved_quantity`,
  );
  out.push(check('per product Σ open reservations = reserved_quantity', mismatch.map((r) => `product ${r.id}: reserved ${r.reserved_quantity}, open ${r.open_qty}`), 'all products agree', 'differ'));

  // 4. state history
  const hist = await rows(db, 'SELECT o.id, o.order_status, h.from_status, h.to_status FROM orders o LEFT JOIN order_state_history h ON h.order_id = o.id ORDER BY o.id, h.created_at, h.id');
  const broken: string[] = [];
  let orders = 0;
  for (let i = 0; i < hist.length; ) {
    const id = hist[i]!.id;
    let prev: string | null = null;
    let ok = true;
    let first = true;
    let status = '';
    for (; i < hist.length && hist[i]!.id === id; i++) {
      const h = hist[i]!;
      status = h.order_status;
      if (h.to_status === null) ok = false;
      else if (first ? h.from_status !== null || h.to_status !== 'pending' : h.from_status !== prev) ok = false;
      prev = h.to_status;
      first = false;
    }
    orders += 1;
    if (!ok || prev !== status) broken.push(`order ${id} (${status}, history ends ${prev})`);
  }
  out.push(check('every order has a complete state history', broken, `${orders} orders, each pending → … → its status`, 'incomplete'));

  // 5. notifications: delivered exactly once, never a status older than one already delivered
  const notes = await rows(db, `SELECT id, order_id, recipient_psid, notification_type, status, message_id, last_error, attempts, published_at, created_at FROM notification_queue WHERE NOT (recipient_type = 'admin' AND recipient_psid IS NULL)`);
  const open = notes.filter((n) => n.status === 'pending' || n.status === 'processing' || n.status === 'failed');
  const lost = notes.filter((n) => n.status === 'completed' && n.message_id && !byMessageId.has(String(n.message_id)));
  const unknown = notes.filter((n) => n.status === 'unknown');
  out.push(
    check(
      'every committed notification row delivered',
      [...(await Promise.all(open.map(async (n) => `row ${n.id} ${n.notification_type} ${n.status}: ${String(n.last_error ?? '').slice(0, 80)} (${await rowTrail(n, input.queues)})`))), ...lost.map((n) => `row ${n.id} message ${n.message_id} never arrived`)],
      `${notes.length} rows: ${notes.length - unknown.length} sent, ${unknown.length} 'delivery unknown' (answer lost, not resent)`,
      'not delivered',
    ),
  );
  const counts = new Map<string, Arrival[]>();
  for (const a of delivered) counts.set(`${a.psid}\u0000${a.key}`, [...(counts.get(`${a.psid}\u0000${a.key}`) ?? []), a]);
  // The same text answering two different events of a user (two apologies) is not a re-send; the same
  // message again with no event of that user posted in between is.
  const resent = (l: Arrival[]) =>
    l.some((a, i) => i > 0 && !(input.postedAt.get(a.psid) ?? []).some((t) => t > l[i - 1]!.at && t <= a.at));
  const twice = [...counts.values()].filter((l) => l.length > 1 && resent(l)).map((l) => `${l[0]!.psid} ×${l.length}: ${(l[0]!.message.text ?? '[template]').slice(0, 60)}`);
  out.push(check('no one saw the same message twice', twice, `${delivered.length} messages delivered, none re-sent`, 'duplicates'));
  const rowByMessage = new Map(notes.filter((n) => n.message_id).map((n) => [String(n.message_id), n]));
  const reordered: string[] = [];
  const lastRank = new Map<string, number>();
  for (const a of delivered) {
    const n = rowByMessage.get(a.message_id!);
    const rank = n ? STATUS_RANK[n.notification_type as string] : undefined;
    if (!n || rank === undefined || !n.order_id) continue;
    const k = `${a.psid}:${n.order_id}`;
    if ((lastRank.get(k) ?? -1) > rank) reordered.push(`order ${n.order_id}: ${n.notification_type} after a later status`);
    lastRank.set(k, Math.max(rank, lastRank.get(k) ?? -1));
  }
  out.push(check('no customer saw a status older than one already delivered', reordered, `${lastRank.size} orders' status messages in order`, 'reordered'));

  // 6. reservations
  const late = await rows(db, `SELECT id, order_id, expires_at FROM inventory_reservations WHERE status = 'reserved' AND expires_at < NOW() - INTERVAL ? SECOND`, [input.expiryGraceSeconds]);
  out.push(check('no reservation open past its expiry', late.map((r) => `reservation ${r.id} (order ${r.order_id})`), 'none', 'still open'));

  // 7. jobs
  const stuck: string[] = [];
  let failed = 0;
  for (const q of input.queues) {
    for (const job of await q.getJobs(['active'])) {
      if (Date.now() - (job.processedOn ?? Date.now()) > 60_000) stuck.push(`${q.name}/${job.id}`);
    }
    failed += (await q.getJobCounts('failed')).failed ?? 0;
  }
  out.push(check('no job stuck active', stuck, `none (failed jobs kept for the dashboard: ${failed})`, 'stuck'));

  // 8. chat inboxes and dead letters
  const left = await chatEventsLeft(input.redis, input.prefix);
  out.push(check('no event left in any inbox or dead-letter list', left, 'all inboxes empty, no dead letters', 'left'));
  return out;
}

/** The chat inboxes, pending set and dead-letter lists that still hold something, as `key (count)`. */
export async function chatEventsLeft(redis: RedisClient, prefix: string): Promise<string[]> {
  const left: string[] = [];
  for (const node of masterConnections(redis)) {
    for await (const keys of node.scanStream({ match: `${prefix}:bot:*`, count: 1000 })) {
      for (const key of keys as string[]) {
        if (!/:bot:(inbox|pending|dead)/.test(key)) continue;
        const type = await node.type(key);
        const n = type === 'list' ? await node.llen(key) : type === 'set' ? await node.scard(key) : type === 'zset' ? await node.zcard(key) : type === 'stream' ? await node.xlen(key) : 0;
        if (n > 0) left.push(`${key.slice(prefix.length)} (${n})`);
      }
    }
  }
  return left;
}

/**
 * What an undelivered row's trail says: its attempts, when it was created and published, and its job in the
 * notifications queue, or for an admin broadcast the fan-out queue (state and last error, or none): enough to
 * tell a lost job from one held back.
 */
async function rowTrail(n: RowDataPacket, queues: Queue[]): Promise<string> {
  const at = (d: unknown) => (d instanceof Date ? d.toISOString().slice(11, 23) : 'never');
  const find = async (name: string) => queues.find((x) => x.name === name)?.getJob(jobIds.notification(Number(n.id))).catch(() => undefined);
  const job = (await find(QUEUES.notifications)) ?? (await find(QUEUES.fanOut));
  const state = job ? await job.getState().catch(() => 'unknown') : 'no job';
  const why = job?.failedReason ? `, ${job.failedReason.slice(0, 60)}` : '';
  return `attempts ${n.attempts}, created ${at(n.created_at)}, published ${at(n.published_at)}, job ${state}${why}`;
}
