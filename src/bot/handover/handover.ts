import type { RedisClient } from '../../db/redis.js';
import type { Logger } from 'pino';
import type { AdminService } from '../../admins/admin-service.js';
import type { CartService, Customer } from '../../orders/cart-service.js';
import { formatMoney } from '../../orders/money.js';
import type { InboundEvent } from '../events.js';
import type { QuickReply, SendApi } from '../send-api.js';
import type { TurnSends } from '../send-once.js';
import type { TurnRun } from '../turn-lease.js';
import { P } from '../payloads.js';

/**
 * "Talk to a person" with the Handover Protocol. The thread is passed to the Page Inbox app
 * (pass_thread_control, metadata: why + the cart); while it is there the bot says nothing (standby
 * events, and any message that still reaches it). It takes the thread back when an admin taps
 * "Resume bot", when the Inbox passes it back to FB_APP_ID (messaging_handovers), or when a message
 * arrives after HANDOVER_TIMEOUT_HOURS. State is in Redis (every web process sees it), under the queue
 * prefix's hash tag. Every message and thread-control call goes out once per inbound event (the reply
 * ledger, TurnSends): a turn run again after a crash or an outage does not tell anyone twice.
 */
export interface HandoverDeps {
  redis: RedisClient;
  prefix: string;
  sendApi: SendApi;
  sends: TurnSends;
  admins: AdminService;
  carts: CartService;
  logger: Logger;
  shopName: string;
  /** the shop's ISO currency (config CURRENCY) */
  currency: string;
  appId: string;
  inboxAppId: string;
  timeoutHours: number;
}

interface HandoverRecord {
  since: number;
  reason: string;
}

/** after this many "I couldn't find anything" answers in a row the customer is offered a person */
export const NOT_UNDERSTOOD_LIMIT = 2;

/** Before a customer turn: who answers ('silent' while a person has the thread) and whether a not-understood streak is running. */
export interface Gate {
  mode: 'bot' | 'silent';
  streak: boolean;
}

export function createHandover(deps: HandoverDeps) {
  const { redis, sendApi, sends, logger } = deps;
  const key = (psid: string) => `${deps.prefix}:handover:${psid}`;
  const streakKey = (psid: string) => `${deps.prefix}:handover-streak:${psid}`;
  const timeoutMs = deps.timeoutHours * 3600_000;
  /** a text to psid, once for the inbound event of `run` (part names the step; the recipient is part of the key) */
  const text = (run: TurnRun, part: string, psid: string, t: string, quick_replies?: QuickReply[]) => {
    const message = { text: t, ...(quick_replies ? { quick_replies } : {}) };
    return sends.sendOnce(run, part, { recipient: { id: psid }, messaging_type: 'RESPONSE', message }, { to: psid, message });
  };

  async function record(psid: string): Promise<HandoverRecord | null> {
    const raw = await redis.get(key(psid));
    return raw ? (JSON.parse(raw) as HandoverRecord) : null;
  }

  async function cartLine(customer: Customer): Promise<string> {
    const view = await deps.carts.view(customer.id);
    if (!view.lines.length) return 'empty';
    return `${view.lines.map((l) => `${l.quantity}× ${l.name}`).join(', ')} (${formatMoney(view.subtotal, deps.currency)})`;
  }

  /** The bot's thread again: Graph first (take_thread_control), the customer told, then our record. */
  async function takeBack(run: TurnRun, psid: string, why: string, viaGraph: boolean): Promise<void> {
    if (viaGraph) {
      await sends.once(run, 'handover:take', psid, () => sendApi.threadControl('take_thread_control', { recipient: { id: psid }, metadata: why.slice(0, 1000) }));
    }
    await text(run, 'handover:back', psid, '🤖 The shop assistant is back. What would you like to do?', [
      { content_type: 'text', title: '🛍️ Shop', payload: P.SHOP },
      { content_type: 'text', title: '🛒 Cart', payload: P.CART },
    ]);
    await redis.del(key(psid), streakKey(psid));
    logger.info({ psid, why }, 'handover: the bot has the thread again');
  }

  return {
    /**
     * Before a customer turn: 'silent' while the Inbox has the thread (or for a standby message of a
     * thread we never passed), 'bot' otherwise. A handover event is handled here and never a turn.
     */
    async gate(ev: InboundEvent, run: TurnRun): Promise<Gate> {
      if (ev.kind === 'handover') {
        if (deps.appId && ev.payload === `pass:${deps.appId}` && (await record(ev.psid))) await takeBack(run, ev.psid, 'passed back by the Page Inbox', false);
        return { mode: 'silent', streak: false };
      }
      // the thread's record and the not-understood streak in one round trip (both keys are in one slot)
      const [raw, streak] = await redis.mget(key(ev.psid), streakKey(ev.psid));
      const rec = raw ? (JSON.parse(raw) as HandoverRecord) : null;
      if (!rec) return { mode: ev.standby ? 'silent' : 'bot', streak: streak !== null };
      if (Date.now() - rec.since < timeoutMs) return { mode: 'silent', streak: streak !== null };
      await takeBack(run, ev.psid, `no answer from a person within ${deps.timeoutHours} h`, true);
      return { mode: 'bot', streak: false };
    },

    /** `run`: the run of the turn that asks (a re-run of that turn sends nothing twice) */
    async talkToPerson(run: TurnRun, psid: string, customer: Customer, reason: string): Promise<void> {
      const cart = await cartLine(customer);
      // told first: once the Inbox owns the thread this app can no longer write to it
      await text(run, 'handover:customer', psid, `💬 A person from ${deps.shopName} will answer you here soon. (The shop assistant is paused.)`);
      const metadata = JSON.stringify({ reason, customer: customer.name, cart }).slice(0, 1000);
      await sends.once(run, 'handover:pass', psid, () =>
        sendApi.threadControl('pass_thread_control', { recipient: { id: psid }, target_app_id: deps.inboxAppId, metadata }),
      );
      await redis.set(key(psid), JSON.stringify({ since: Date.now(), reason } satisfies HandoverRecord));
      await redis.del(streakKey(psid));
      const alert = `💬 ${customer.name} wants a person (${reason}). Cart: ${cart}. Answer in the Page Inbox; tap Resume bot when done.`;
      for (const admin of await deps.admins.listPsids()) {
        await text(run, 'handover:alert', admin, alert, [{ content_type: 'text', title: '▶️ Resume bot', payload: P.resumeBot(psid) }]).catch((err: Error) =>
          logger.warn({ err: err.message }, 'handover: could not alert an admin'),
        );
      }
    },

    /** An admin tapped "Resume bot" (in the turn `run`): false when the thread was not handed over. */
    async resume(run: TurnRun, psid: string, by: string): Promise<boolean> {
      if (!(await record(psid))) return false;
      await takeBack(run, psid, `resumed by ${by}`, true);
      return true;
    },

    /** A "could not find anything" answer: true when it is the NOT_UNDERSTOOD_LIMIT-th in a row. */
    async notUnderstood(psid: string): Promise<boolean> {
      const n = await redis.incr(streakKey(psid));
      await redis.expire(streakKey(psid), 3600);
      return n >= NOT_UNDERSTOOD_LIMIT;
    },

    /** The bot understood: the streak starts over. `streak` is what gate() saw; without one there is nothing to clear. */
    async understood(psid: string, streak = true): Promise<void> {
      if (streak) await redis.del(streakKey(psid));
    },
  };
}

export type Handover = ReturnType<typeof createHandover>;
