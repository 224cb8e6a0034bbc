import { GraphError, type SendApi, type SendRequest } from './send-api.js';
import type { ReplyLedger } from './reply-ledger.js';
import type { TurnRun } from './turn-lease.js';

/**
 * What a turn does on Graph, done once per inbound event: a reply or an alert (sendOnce), or another call
 * such as passing the thread to the Page Inbox (once). Keyed in the reply ledger by the inbound event and
 * the part of the turn (a dialog reply: its place in the turn and, separately, its content; a send around
 * Botkit: its step and content), so a turn run again (after a crash, an outage that cut it short, or a
 * lease lost while it ran) skips what already went out, and each send happens only while the run still
 * holds the user's lease (see reply-ledger.ts for the windows). Used by the Botkit adapter for dialog
 * replies and by the steps that send around Botkit (the live sale's "in your cart", the handover's
 * messages, alerts and thread-control calls).
 */
export interface TurnSends {
  /** `content`: what makes two sends of one part different (default: the message) */
  sendOnce(run: TurnRun, part: number | string, req: SendRequest, content?: unknown): Promise<string>;
  once(run: TurnRun, part: string, content: unknown, fn: () => Promise<void>): Promise<void>;
  /**
   * A dialog reply: `part` its place in the turn, `repeat` how many times this run said the same message
   * before. Skipped when the place was taken by a run of this event (whatever it said there) or the same
   * message (same repeat) went out at another place.
   */
  reply(run: TurnRun, part: number, repeat: number, req: SendRequest): Promise<string>;
}

export function createTurnSends(sendApi: SendApi, ledger: ReplyLedger | undefined, onDeliveryUnknown?: (err: GraphError) => void): TurnSends {
  /**
   * fn once for this key: the lease check and the ledger's claim go out together (one round trip's wait);
   * a claim made by a run that turns out to have lost its lease is given back. Undefined: skipped.
   */
  async function guarded<T>(key: string, run: TurnRun, fn: () => Promise<T>, contentKey?: string): Promise<T | undefined> {
    const [held, claim] = await Promise.allSettled([run.lease?.confirm(), ledger!.claim(key, run.owner, contentKey)]);
    if (held.status === 'rejected') {
      if (claim.status === 'fulfilled' && claim.value === 'send') await ledger!.release(key, run.owner);
      throw held.reason;
    }
    if (claim.status === 'rejected') throw claim.reason;
    if (claim.value === 'skip') return undefined;
    let out: T;
    try {
      out = await fn();
    } catch (err) {
      if (!(err instanceof GraphError && err.deliveryUnknown)) {
        await ledger!.release(key, run.owner); // Graph answered "not done" (or the call never left): nothing was sent
        throw err;
      }
      // Graph may have shown it (a timeout after the request went out): never sent again. Its claim stays
      // (a re-run of this turn skips it) and the turn goes on, instead of apologising for a reply the
      // customer has most likely seen; the caller records it.
      onDeliveryUnknown?.(err);
      return undefined;
    }
    return out; // the claim stays: sent (no mark written, see reply-ledger.ts)
  }

  return {
    async sendOnce(run, part, req, content = req.message) {
      if (!ledger || !run.inboundId || !req.message) return (await sendApi.send(req)).message_id ?? '';
      const res = await guarded(ledger.key(run.inboundId, part, content), run, () => sendApi.send(req));
      return res?.message_id ?? '';
    },
    async reply(run, part, repeat, req) {
      if (!ledger || !run.inboundId || !req.message) return (await sendApi.send(req)).message_id ?? '';
      const place = ledger.key(run.inboundId, part, null);
      const res = await guarded(place, run, () => sendApi.send(req), ledger.key(run.inboundId, `said#${repeat}`, req.message));
      return res?.message_id ?? '';
    },
    async once(run, part, content, fn) {
      if (!ledger || !run.inboundId) return fn();
      await guarded(ledger.key(run.inboundId, part, content), run, fn);
    },
  };
}
