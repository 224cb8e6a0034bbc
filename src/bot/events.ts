import type { FeedComment } from '../orders/live/live-types.js';
import { parseFeedEntry } from './feed-events.js';

/**
 * Messenger webhook events → the one shape the bot works with. Pure: no I/O, unit-tested.
 * Only what a customer or admin did becomes an InboundEvent; echoes, delivery and read receipts,
 * standby (handover) entries and unknown kinds are dropped here.
 */
export type InboundKind = 'text' | 'quick_reply' | 'postback' | 'attachment' | 'referral' | 'comment' | 'handover';

export interface InboundAttachment {
  /** 'image' | 'video' | 'audio' | 'file' | …; a sticker (thumbs-up) is an image with a sticker id: 'sticker' here */
  type: string;
  url: string | null;
}

export interface InboundEvent {
  kind: InboundKind;
  psid: string;
  pageId: string;
  timestamp: number;
  /** de-duplication key: message id, or postback id + timestamp */
  dedupeKey: string;
  text: string;
  /** quick reply / postback payload, or a referral's ref */
  payload: string | null;
  attachments: InboundAttachment[];
  /** kind 'comment': a live-sale post's comment; `psid` is then the post's inbox key (live:<post id>) */
  comment?: FeedComment;
  /** arrived in `standby` (another app owns the thread): never answered unless the bot takes it back */
  standby?: boolean;
}

/** Comments of one post share an inbox: handled one at a time, in the order Facebook sent them. */
export const commentInboxKey = (postId: string) => `live:${postId}`;

function commentEvent(c: FeedComment, pageId: string): InboundEvent {
  const timestamp = c.created_time ? c.created_time * 1000 : Date.now();
  return { kind: 'comment', psid: commentInboxKey(c.post_id), pageId, timestamp, dedupeKey: `c:${c.comment_id}`, text: c.message, payload: null, attachments: [], comment: c };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** One `messaging[]` item → an InboundEvent, or null when it is to be ignored. */
export function parseMessagingEvent(raw: unknown): InboundEvent | null {
  const ev = obj(raw);
  if (!ev) return null;
  const psid = str(obj(ev.sender)?.id);
  const pageId = str(obj(ev.recipient)?.id) ?? '';
  const timestamp = typeof ev.timestamp === 'number' ? ev.timestamp : Date.now();
  if (!psid) return null;
  const base = { psid, pageId, timestamp, text: '', payload: null, attachments: [] as InboundAttachment[] };

  const message = obj(ev.message);
  if (message) {
    if (message.is_echo) return null;
    const mid = str(message.mid);
    if (!mid) return null;
    const dedupeKey = `m:${mid}`;
    const qr = str(obj(message.quick_reply)?.payload);
    if (qr) return { ...base, kind: 'quick_reply', dedupeKey, text: str(message.text) ?? '', payload: qr };
    const atts = Array.isArray(message.attachments) ? message.attachments : [];
    if (atts.length) {
      const attachments = atts.map((a) => {
        const o = obj(a) ?? {};
        const sticker = obj(o.payload)?.sticker_id !== undefined || message.sticker_id !== undefined;
        return { type: sticker ? 'sticker' : (str(o.type) ?? 'unknown'), url: str(obj(o.payload)?.url) };
      });
      return { ...base, kind: 'attachment', dedupeKey, text: str(message.text) ?? '', attachments };
    }
    const text = str(message.text);
    if (text === null) return null;
    return { ...base, kind: 'text', dedupeKey, text };
  }

  const postback = obj(ev.postback);
  if (postback) {
    const payload = str(postback.payload);
    if (!payload) return null;
    // Postbacks carry no stable id in older API versions: the mid (when present) plus the timestamp.
    const dedupeKey = `p:${psid}:${str(postback.mid) ?? ''}:${timestamp}`;
    const referralRef = str(obj(postback.referral)?.ref);
    return { ...base, kind: 'postback', dedupeKey, text: str(postback.title) ?? '', payload, ...(referralRef ? { text: referralRef } : {}) };
  }

  // Handover Protocol (messaging_handovers): payload 'pass:<new owner app id>' / 'take:<previous owner app id>'
  const pass = obj(ev.pass_thread_control);
  const take = obj(ev.take_thread_control);
  if (pass || take) {
    const payload = pass ? `pass:${str(pass.new_owner_app_id) ?? String(pass.new_owner_app_id ?? '')}` : `take:${str(take!.previous_owner_app_id) ?? String(take!.previous_owner_app_id ?? '')}`;
    return { ...base, kind: 'handover', dedupeKey: `h:${psid}:${timestamp}:${payload}`, payload };
  }

  const referral = obj(ev.referral);
  if (referral) {
    return { ...base, kind: 'referral', dedupeKey: `r:${psid}:${timestamp}`, payload: str(referral.ref) };
  }
  return null; // delivery, read, reaction, optin, … : not a turn
}

/** A whole webhook body → events in arrival order: messages, handover events, standby messages (flagged), feed comments. */
export function parseWebhookBody(body: unknown): InboundEvent[] {
  const root = obj(body);
  if (!root || root.object !== 'page' || !Array.isArray(root.entry)) return [];
  const out: InboundEvent[] = [];
  for (const entry of root.entry) {
    for (const c of parseFeedEntry(entry)) out.push(commentEvent(c, str(obj(entry)?.id) ?? ''));
    const messaging = obj(entry)?.messaging;
    if (Array.isArray(messaging)) {
      for (const m of messaging) {
        const ev = parseMessagingEvent(m);
        if (ev) out.push(ev);
      }
    }
    // the thread is with another app (the Page Inbox): seen, never answered (see bot/handover)
    const standby = obj(entry)?.standby;
    if (Array.isArray(standby)) {
      for (const m of standby) {
        const ev = parseMessagingEvent(m);
        if (ev && ev.kind !== 'handover') out.push({ ...ev, standby: true });
      }
    }
  }
  return out;
}
