import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { signBody } from '../bot/signature.js';

export { signBody };

/**
 * What a simulated person does (types a text, taps a quick reply or a button, sends a photo), turned
 * into the exact JSON Messenger POSTs to a Page's webhook, signed the way Messenger signs it
 * (X-Hub-Signature-256 = HMAC-SHA256 of the raw body with the app secret).
 */
const psid = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, 'psid must be 1-64 letters, digits, _ or -');
const text = z.string().trim().min(1, 'text must not be empty').max(2000, 'text must be at most 2000 characters');
const payload = z.string().min(1, 'payload must not be empty').max(1000, 'payload must be at most 1000 characters');

export const userEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text }),
  z.object({ type: z.literal('quick_reply'), text: z.string().max(2000), payload }),
  z.object({ type: z.literal('postback'), title: z.string().max(200), payload }),
  z.object({ type: z.literal('image'), url: z.url({ protocol: /^https?$/, message: 'url must be an http(s) URL' }) }),
]);
export type UserEvent = z.infer<typeof userEventSchema>;

export const sendBodySchema = z.object({ psid, event: userEventSchema });

/** The Page the simulator pretends to be (Messenger puts the Page id in entry.id and recipient.id). */
export const SIMULATOR_PAGE_ID = '100000000000001';

export interface WebhookDelivery {
  /** the raw JSON body, byte for byte what is signed and posted */
  body: string;
  signature: string;
  mid: string;
}

export function buildMessagingEvent(sender: string, event: UserEvent, mid: string, now: number): Record<string, unknown> {
  const base = { sender: { id: sender }, recipient: { id: SIMULATOR_PAGE_ID }, timestamp: now };
  switch (event.type) {
    case 'text':
      return { ...base, message: { mid, text: event.text } };
    case 'quick_reply':
      return { ...base, message: { mid, text: event.text, quick_reply: { payload: event.payload } } };
    case 'postback':
      return { ...base, postback: { mid, title: event.title, payload: event.payload } };
    case 'image':
      return { ...base, message: { mid, attachments: [{ type: 'image', payload: { url: event.url } }] } };
  }
}

/** One event in one entry, as Messenger delivers a single message. */
export function buildDelivery(sender: string, event: UserEvent, appSecret: string, now = Date.now()): WebhookDelivery {
  const mid = `m_sim_${randomUUID().replace(/-/g, '')}`;
  const body = JSON.stringify({
    object: 'page',
    entry: [{ id: SIMULATOR_PAGE_ID, time: now, messaging: [buildMessagingEvent(sender, event, mid, now)] }],
  });
  return { body, signature: signBody(body, appSecret), mid };
}

/** A comment a simulated person writes under the Page's post or live video. */
export interface SimulatedComment {
  post_id: string;
  comment_id: string;
  from: { id: string; name: string };
  message: string;
}

/**
 * Comments as the Page `feed` webhook delivers them (Webhooks for Pages: entry[].changes[] with
 * field "feed", value.item "comment", verb "add"), several in one delivery as Facebook batches them.
 */
export function buildFeedDelivery(comments: SimulatedComment[], appSecret: string, now = Date.now()): WebhookDelivery {
  const changes = comments.map((c) => ({
    field: 'feed',
    value: {
      from: c.from,
      post_id: c.post_id,
      comment_id: c.comment_id,
      parent_id: c.post_id,
      message: c.message,
      created_time: Math.floor(now / 1000),
      item: 'comment',
      verb: 'add',
    },
  }));
  const body = JSON.stringify({ object: 'page', entry: [{ id: SIMULATOR_PAGE_ID, time: now, changes }] });
  return { body, signature: signBody(body, appSecret), mid: comments[0]?.comment_id ?? '' };
}
