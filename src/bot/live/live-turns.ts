import type { Logger } from 'pino';
import type { Customer } from '../../orders/cart-service.js';
import type { LiveSales } from '../../orders/live/live-sales.js';
import { formatMoney } from '../../orders/money.js';
import type { InboundEvent } from '../events.js';
import type { TurnSends } from '../send-once.js';
import type { TurnRun } from '../turn-lease.js';
import { P } from '../payloads.js';

/**
 * Live selling inside the bot's turns. A comment event (one post's inbox, in order) goes to the
 * live-sale service. Before any customer turn, the buyer's held claims join their cart (the PSID links
 * them through the Private Reply Graph answered with it), and they are told once what they have.
 */
export function createLiveTurns(deps: { live: LiveSales; sends: TurnSends; logger: Logger; timeZone: string; currency: string }) {
  const { live, logger } = deps;

  /** A comment: an outage is thrown to the turn runner, which keeps it at the head of the post's inbox and retries. */
  async function comment(ev: InboundEvent): Promise<void> {
    const c = ev.comment;
    if (!c) return;
    const out = await live.handleComment(c);
    logger.debug({ commentId: c.comment_id, out }, 'live comment handled');
  }

  const timeOf = (iso: string) =>
    new Intl.DateTimeFormat('en-PH', { hour: 'numeric', minute: '2-digit', timeZone: deps.timeZone }).format(new Date(iso));

  /**
   * Held claims → cart, and a word about it, once per inbound event through the reply ledger: a re-run of
   * the turn finds the claims its first run carted and sends the word only if it did not go out. A
   * LIVE_CLAIM tap then shows the cart (its route).
   */
  async function beforeTurn(ev: InboundEvent, customer: Customer, run: TurnRun): Promise<void> {
    const carted = await live.attachHolds(ev.psid, customer.id, ev.dedupeKey);
    if (!carted.length) return;
    const lines = carted.map((h) => `${h.code} ${h.name} ${formatMoney(h.price, deps.currency)}${h.quantity > 1 ? ` ×${h.quantity}` : ''} — held for you until ${timeOf(h.hold_expires_at)}`);
    await deps.sends.sendOnce(run, 'live:carted', {
      recipient: { id: ev.psid },
      messaging_type: 'RESPONSE',
      message: {
        text: `🎉 In your cart from the live sale:\n${lines.join('\n')}`,
        quick_replies: [
          { content_type: 'text', title: '✅ Check out', payload: P.CHECKOUT },
          { content_type: 'text', title: '🛒 View cart', payload: P.CART },
        ],
      },
    });
  }

  return { comment, beforeTurn };
}
