import { GraphError, type SendApi, type SendRequest } from './send-api.js';
import type { ReplyLedger } from './reply-ledger.js';

/**
 * What a turn does on Graph, done once per inbound event: a reply or an alert (sendOnce), or another
 * call such as passing the thread to the Page Inbox (once). Keyed in the reply ledger by the inbound event,
 * the part of the turn and the content, so a turn run again (after a crash or an outage cut it short)
 * skips what already went out. Used by the Botkit adapter for dialog replies and by the steps that send
 * around Botkit (the live sale's "in your cart", the handover's messages and alerts).
 */
export interface TurnSends {
  /** `content`: what makes two sends of one part different (default: the message) */
  sendOnce(inboundId: string, part: number | string, req: SendRequest, content?: unknown): Promise<string>;
  once(inboundId: string, part: string, content: unknown, fn: () => Promise<void>): Promise<void>;
}

export function createTurnSends(sendApi: SendApi, ledger: ReplyLedger | undefined, onDeliveryUnknown?: (err: GraphError) => void): TurnSends {
  return {
    async sendOnce(inboundId, part, req, content = req.message) {
      if (!ledger || !inboundId || !req.message) return (await sendApi.send(req)).message_id ?? '';
      const key = ledger.key(inboundId, part, content);
      if (await ledger.wasSent(key)) return '';
      let res;
      try {
        res = await sendApi.send(req);
      } catch (err) {
        if (!(err instanceof GraphError && err.deliveryUnknown)) throw err;
        // Graph may have shown it (a timeout after the request went out): never sent again. It counts as
        // sent (a re-run of this turn skips it) and the turn goes on, instead of apologising for a reply
        // the customer has most likely seen; the caller records it.
        await ledger.markSent(key);
        onDeliveryUnknown?.(err);
        return '';
      }
      await ledger.markSent(key);
      return res.message_id ?? '';
    },
    async once(inboundId, part, content, fn) {
      if (!ledger || !inboundId) return fn();
      const key = ledger.key(inboundId, part, content);
      if (await ledger.wasSent(key)) return;
      await fn();
      await ledger.markSent(key);
    },
  };
}
