import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Chat, startHarness, type Harness } from './bot-harness.js';
import { makeProduct } from '../../helpers/factories.js';

/** Attachments as Messenger delivers them; each gets a reply that fits what it is. */
const attachmentEvent = (psid: string, attachment: Record<string, unknown>) => ({
  sender: { id: psid },
  recipient: { id: 'PAGE' },
  timestamp: Date.now(),
  message: { mid: `mid.${randomUUID()}`, attachments: [attachment] },
});

const CASES: Array<[string, Record<string, unknown>, RegExp]> = [
  ['a map pin', { type: 'location', title: 'Pinned Location', payload: { coordinates: { lat: 14.5995, long: 120.9842 } } }, /can’t use a map location as a delivery address/],
  ['a voice message', { type: 'audio', payload: { url: 'https://cdn.fbsbx.com/v/voice.mp4' } }, /can’t listen to voice messages/],
  ['a video', { type: 'video', payload: { url: 'https://video.xx.fbcdn.net/v/clip.mp4' } }, /can’t watch videos.*send a photo or screenshot/],
  ['a file', { type: 'file', payload: { url: 'https://cdn.fbsbx.com/v/receipt.pdf' } }, /can’t open files.*send a photo or screenshot/],
  ['a shared link', { type: 'fallback', title: 'A page', url: 'https://example.com/a', payload: { url: 'https://example.com/a' } }, /can’t open links/],
];

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('when a shopper sends something other than a photo', () => {
  it.each(CASES)('answers %s with a reply that fits it, not the payment-proof line', async (_what, attachment, expected) => {
    const chat = new Chat(h);
    await chat.send(attachmentEvent(chat.psid, attachment));
    const replies = chat.replies();
    expect(replies).toHaveLength(1);
    expect(chat.lastText()).toMatch(expected);
    expect(chat.lastText()).not.toMatch(/I can only use a photo as the payment proof/);
    expect(replies[0]!.body.message?.quick_replies?.map((q) => q.payload)).toContain('SHOP');
  });

  it.each([
    ['a voice message', CASES[1]![1], /can’t read voice messages here — please type your answer/],
    ['a map pin', CASES[0]![1], /can’t read map pins here — please type your answer/],
  ])('keeps the question open and asks to type the answer when %s comes in the middle of it', async (_what, attachment, expected) => {
    const productId = await makeProduct(h.app.db, { stock: 20 });
    const chat = new Chat(h);
    await chat.postback(`QTY_OTHER:${productId}`, 'Other');
    expect(chat.lastText()).toMatch(/How many would you like/);
    await chat.send(attachmentEvent(chat.psid, attachment));
    expect(chat.lastText()).toMatch(expected);
    await chat.say('3'); // the question is still the one being answered
    expect(chat.lastText()).toMatch(/Added ✅ You now have 3 ×/);
  });
});
