import type { InboundAttachment } from './events.js';
import { menuReplies, type BotMessage } from './messages-shop.js';

/**
 * What the bot says to an attachment that is not a payment-proof photo, by its Messenger type. Pure.
 * Messenger sends a shared link as type 'fallback' (or 'template' for a shared post), a map pin as
 * 'location'; a thumbs-up is an image with a sticker id ('sticker' in events.ts).
 */
export type AttachmentKind = 'image' | 'sticker' | 'location' | 'audio' | 'video' | 'file' | 'link' | 'other';

export function attachmentKind(attachments: InboundAttachment[]): AttachmentKind {
  if (attachments.some((a) => a.type === 'image' && a.url)) return 'image';
  if (attachments.length && attachments.every((a) => a.type === 'sticker')) return 'sticker';
  const type = attachments.find((a) => a.type !== 'sticker')?.type ?? 'unknown';
  if (type === 'location' || type === 'audio' || type === 'video' || type === 'file') return type;
  if (type === 'fallback' || type === 'template' || type === 'share') return 'link';
  return 'other';
}

const WORDS: Record<Exclude<AttachmentKind, 'image'>, string> = {
  sticker: '👍 What would you like to do next?',
  location:
    'Thanks for the pin! 📍 I can’t use a map location as a delivery address — when you check out I’ll ask for your street address, city and province.',
  audio: 'I can’t listen to voice messages 🎧 — please type what you need, or tap a button below.',
  video: 'I can’t watch videos here 🎬. If it’s a payment proof, please send a photo or screenshot of the receipt instead.',
  file: 'I can’t open files here 📄. If it’s a payment proof, please send a photo or screenshot of the receipt instead.',
  link: 'Thanks for the link! 🔗 I can’t open links — type a product name to search our shop, or tap a button below.',
  other: 'I can’t use that kind of attachment here. Please type what you need, or tap a button below.',
};

/** The reply to anything but a photo; a photo is a payment proof (or told why it cannot be one). */
export function attachmentReply(kind: Exclude<AttachmentKind, 'image'>, isAdmin = false): BotMessage {
  return { text: WORDS[kind], quick_replies: menuReplies(isAdmin) };
}

/** During a question: the answer has to be typed (a photo is still taken as a payment proof). */
export function attachmentDuringQuestion(kind: Exclude<AttachmentKind, 'image'>): BotMessage {
  const what = { sticker: 'stickers', location: 'map pins', audio: 'voice messages', video: 'videos', file: 'files', link: 'links', other: 'attachments' }[kind];
  return { text: `I can’t read ${what} here — please type your answer to the question above.` };
}
