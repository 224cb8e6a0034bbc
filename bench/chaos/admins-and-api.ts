import { randomUUID } from 'node:crypto';
import type { Arrival, ChaosGraph } from './chaos-graph.js';
import { ChatUser, choicesOf, type WebhookClient } from './customers.js';

/**
 * The shop's side of a chaos run: admins who confirm every new-order alert by tapping its Confirm quick
 * reply (each admin confirms the orders whose id has its parity, one tap at a time, as a person would), and
 * a REST client placing orders with an Idempotency-Key, sending each request again after its answer and once
 * more concurrently (a client that retries a request it is unsure of).
 */
export interface AdminDesk {
  confirmed: Set<number>;
  failedTaps: number;
  /** resolves when every alert seen so far has been handled */
  idle(): Promise<void>;
  stop(): void;
}

export function startAdminDesk(graph: ChaosGraph, client: WebhookClient, adminPsids: string[]): AdminDesk {
  const confirmed = new Set<number>();
  const queued = new Set<number>();
  const chains = new Map<string, Promise<void>>();
  let failedTaps = 0;
  let stopped = false;
  const users = new Map(adminPsids.map((p) => [p, new ChatUser(p, graph, client)]));

  const onDelivered = (a: Arrival) => {
    const user = users.get(a.psid);
    if (!user || stopped) return;
    const c = choicesOf(a).quick.find((q) => /^ADMIN_CONFIRM:\d+$/.test(q.payload));
    if (!c) return;
    const orderId = Number(c.payload.split(':')[1]);
    if (adminPsids[orderId % adminPsids.length] !== a.psid || queued.has(orderId)) return;
    queued.add(orderId);
    const prev = chains.get(a.psid) ?? Promise.resolve();
    const next = prev.then(async () => {
      if (stopped) return;
      const msgs = await user.tap(c, { done: (m) => m.some((x) => /confirmed|cannot|can no longer|already/i.test(x.message.text ?? '')), timeoutMs: 45_000 }).catch(() => null);
      if (msgs?.some((x) => /confirmed\. The customer is being notified/.test(x.message.text ?? ''))) confirmed.add(orderId);
      else failedTaps += 1;
    });
    chains.set(a.psid, next);
  };
  graph.events.on('delivered', onDelivered);
  return {
    confirmed,
    get failedTaps() {
      return failedTaps;
    },
    async idle() {
      let before = -1;
      while (before !== queued.size) {
        before = queued.size;
        await Promise.all(chains.values());
      }
    },
    stop() {
      stopped = true;
      graph.events.off('delivered', onDelivered);
    },
  };
}

export interface ApiOrderResult {
  key: string;
  /** order ids in the answers (201) to the same key: must be one id */
  orderIds: Set<number>;
  statuses: number[];
}

/** One REST order with an Idempotency-Key, sent three times (one retry overlapping the first). */
export async function apiOrderWithRetries(webUrls: () => string[], apiKey: string, body: unknown): Promise<ApiOrderResult> {
  const key = `chaos-${randomUUID()}`;
  const result: ApiOrderResult = { key, orderIds: new Set(), statuses: [] };
  const once = async (i: number): Promise<void> => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const urls = webUrls();
      const url = urls[(i + attempt) % urls.length]!;
      try {
        const res = await fetch(`${url}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'idempotency-key': key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
        const json = (await res.json().catch(() => ({}))) as { order_id?: number };
        result.statuses.push(res.status);
        if (res.status === 201 && json.order_id) {
          result.orderIds.add(json.order_id);
          return;
        }
        if (res.status < 500 && res.status !== 409 && res.status !== 429) return; // a definite refusal
      } catch {
        result.statuses.push(0);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  await Promise.all([once(0), new Promise((r) => setTimeout(r, 5)).then(() => once(1))]);
  await once(2);
  return result;
}
