import { describe, expect, it } from 'vitest';
import { parseWebhookBody } from '../../../src/bot/events.js';

const page = (messaging: unknown[], extra: Record<string, unknown> = {}) => ({ object: 'page', entry: [{ id: 'PAGE', time: 1, messaging, ...extra }] });
const from = (psid: string) => ({ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: 1700000000000 });

describe('parsing a Messenger webhook body', () => {
  it('keeps text, quick replies, postbacks, photos and referrals in arrival order', () => {
    const events = parseWebhookBody(
      page([
        { ...from('u1'), message: { mid: 'm1', text: 'hello' } },
        { ...from('u1'), message: { mid: 'm2', text: '2', quick_reply: { payload: 'QTY:5:2' } } },
        { ...from('u1'), postback: { title: 'Shop', payload: 'SHOP', mid: 'pb1' } },
        { ...from('u1'), message: { mid: 'm3', attachments: [{ type: 'image', payload: { url: 'https://x/y.jpg' } }] } },
        { ...from('u1'), referral: { ref: 'ad-1', source: 'ADS' } },
      ]),
    );
    expect(events.map((e) => [e.kind, e.payload ?? e.text])).toEqual([
      ['text', 'hello'],
      ['quick_reply', 'QTY:5:2'],
      ['postback', 'SHOP'],
      ['attachment', ''],
      ['referral', 'ad-1'],
    ]);
    expect(events[3]!.attachments).toEqual([{ type: 'image', url: 'https://x/y.jpg' }]);
  });

  it('tells a sticker (thumbs-up) apart from a photo', () => {
    const [ev] = parseWebhookBody(page([{ ...from('u1'), message: { mid: 'm4', sticker_id: 369239263222822, attachments: [{ type: 'image', payload: { url: 'https://x/s.png', sticker_id: 369239263222822 } }] } }]));
    expect(ev!.attachments).toEqual([{ type: 'sticker', url: 'https://x/s.png' }]);
  });

  it('de-duplicates messages by mid and postbacks by mid plus timestamp', () => {
    const [msg, pb] = parseWebhookBody(page([{ ...from('u1'), message: { mid: 'm9', text: 'x' } }, { ...from('u1'), postback: { payload: 'CART' } }]));
    expect(msg!.dedupeKey).toBe('m:m9');
    expect(pb!.dedupeKey).toBe('p:u1::1700000000000');
  });

  it('keeps standby messages (another app owns the thread) flagged, and handover events as their own kind', () => {
    const events = parseWebhookBody(
      page([{ ...from('u1'), pass_thread_control: { new_owner_app_id: '123', metadata: 'back' } }], {
        standby: [{ ...from('u2'), message: { mid: 's1', text: 'hello?' } }],
      }),
    );
    expect(events.map((e) => [e.kind, e.psid, e.payload ?? e.text, e.standby ?? false])).toEqual([
      ['handover', 'u1', 'pass:123', false],
      ['text', 'u2', 'hello?', true],
    ]);
  });

  it('ignores echoes, delivery and read receipts and unknown kinds', () => {
    const events = parseWebhookBody(
      page(
        [
          { ...from('u1'), message: { mid: 'e1', text: 'echo', is_echo: true } },
          { ...from('u1'), delivery: { mids: ['m1'], watermark: 1 } },
          { ...from('u1'), read: { watermark: 1 } },
          { ...from('u1'), reaction: { reaction: 'love', mid: 'm1' } },
        ],
      ),
    );
    expect(events).toEqual([]);
    expect(parseWebhookBody({ object: 'instagram', entry: [] })).toEqual([]);
    expect(parseWebhookBody('nonsense')).toEqual([]);
  });
});
