import { formatMoney } from '../orders/money.js';
import { P } from '../bot/payloads.js';
import type { OutgoingMessage, Rendered } from './notification-messages.js';
import type { ReplyLine as Line } from '../orders/live/live-types.js';

/**
 * The words of live selling, built from the notification_queue payloads the live-sale service writes:
 * the one Private Reply to a comment (`live_reply`), a waitlist promotion (`live_promoted`), and the
 * admins' running tally and end-of-sale summary. Pure, unit-tested. A Private Reply is ONE message.
 */
interface CodeInfo {
  code: string;
  name: string;
  price: string;
  available: number;
}
interface Tally {
  code: string;
  name: string;
  stock: number;
  claimed: number;
  waitlist: number;
  checked_out?: number;
  expired?: number;
}

export const LIVE_TYPES = ['live_reply', 'live_promoted', 'live_tally', 'live_summary'] as const;

export function holdTime(minutes: number): string {
  if (minutes >= 1) return `${Math.round(minutes * 10) / 10} min`;
  return `${Math.max(1, Math.round(minutes * 60))} s`;
}

const item = (l: { code: string; name: string; price: string; quantity?: number }, currency: string) =>
  `${l.code} ${l.name} ${formatMoney(l.price, currency)}${l.quantity && l.quantity > 1 ? ` ×${l.quantity}` : ''}`;

function lineText(l: Line, minutes: number, currency: string): string {
  if (l.outcome === 'held') return `You got ${item(l, currency)} 🎉 Reply here to check out within ${holdTime(minutes)}.`;
  if (l.outcome === 'waitlisted')
    return `${l.code} ${l.name} is sold out — you are #${l.position ?? 1} on the waitlist. If one frees up it is yours and we tell you here.`;
  return `${l.code}: at most ${l.limit ?? 1} per buyer, and you have claimed that many already.`;
}

function withButton(text: string, title: string, payload: string): OutgoingMessage {
  return { attachment: { type: 'template', payload: { template_type: 'button', text: text.slice(0, 640), buttons: [{ type: 'postback', title, payload }] } } };
}

function reply(p: Record<string, unknown>, currency: string): OutgoingMessage {
  const minutes = Number(p.hold_minutes ?? 30);
  const example = String(p.example_code ?? 'M1');
  if (p.kind === 'price_question') {
    const info = (p.codes as CodeInfo[]) ?? [];
    const lines = info.map((c) => `${item(c, currency)} — ${c.available > 0 ? `${c.available} left` : 'sold out (comment to join the waitlist)'}`);
    return { text: `${lines.join('\n')}\nTo claim, comment "mine ${info[0]?.code ?? example}".` };
  }
  if (p.kind === 'unclear') {
    const unknown = (p.unknown_codes as string[]) ?? [];
    const none = unknown.length ? `There is no ${unknown.join(' or ')} in this sale. ` : 'Sorry, we could not read that as a claim. ';
    return { text: `${none}To claim, comment "mine ${example}" (or "mine ${example} x2" for two).` };
  }
  const lines = (p.lines as Line[]) ?? [];
  const text = lines.map((l) => lineText(l, minutes, currency)).join('\n');
  const claimId = Number(p.claim_id);
  if (!Number.isInteger(claimId) || claimId <= 0) return { text };
  const anyHeld = lines.some((l) => l.outcome === 'held');
  return withButton(text, anyHeld ? '🛒 Check out' : '🔔 Keep me posted', P.liveClaim(claimId));
}

function tallyLines(codes: Tally[], final: boolean): string {
  return codes
    .map((c) => {
      const extra = final ? ` (${c.checked_out ?? 0} checked out, ${c.expired ?? 0} expired)` : '';
      return `${c.code} ${c.name}: ${c.claimed}/${c.stock} claimed${extra} · ${c.waitlist} waiting`;
    })
    .join('\n');
}

/** `currency`: the shop's ISO code (config CURRENCY), as every other notification's amounts */
export function renderLive(type: string, p: Record<string, unknown>, currency: string): Rendered {
  switch (type) {
    case 'live_reply':
      return { ok: true, audience: 'customer', parts: [reply(p, currency)] };
    case 'live_promoted': {
      const text = `Good news! ${item(p as unknown as Line, currency)} freed up and it is yours 🎉 Check out within ${holdTime(Number(p.hold_minutes ?? 30))}.`;
      return { ok: true, audience: 'customer', parts: [{ text, quick_replies: [{ content_type: 'text', title: '🛒 Check out', payload: P.liveClaim(Number(p.claim_id)) }] }] };
    }
    case 'live_tally':
      return { ok: true, audience: 'admin', parts: [{ text: `🎥 Live sale #${String(p.sale_id)} tally\n${tallyLines((p.codes as Tally[]) ?? [], false)}`.slice(0, 2000) }] };
    case 'live_summary': {
      const head = `🎥 Live sale #${String(p.sale_id)} ended: ${String(p.comments)} comments, ${String(p.claims)} claims.`;
      return { ok: true, audience: 'admin', parts: [{ text: `${head}\n${tallyLines((p.codes as Tally[]) ?? [], true)}`.slice(0, 2000) }] };
    }
    default:
      return { ok: false, reason: `unknown notification_type '${type}'` };
  }
}
