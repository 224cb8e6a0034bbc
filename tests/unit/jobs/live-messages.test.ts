import { describe, expect, it } from 'vitest';
import { holdTime, renderLive as render } from '../../../src/jobs/live-messages.js';

const renderLive = (type: string, p: Record<string, unknown>) => render(type, p, 'PHP');
import { renderNotification } from '../../../src/jobs/notification-messages.js';

const shop = { name: 'Shop', currency: 'PHP', gcashNumber: '0917', gcashName: 'Shop', bankDetails: 'BDO' };
const held = { code: 'M1', name: 'Blue dress', price: '350.00', quantity: 1, outcome: 'held' };

describe('live-sale messages', () => {
  it('tells a winner what they got, for how long, with one button that names the claim', () => {
    const r = renderNotification({ type: 'live_reply', payload: { kind: 'claim', lines: [held], hold_minutes: 30, claim_id: 42 }, order: null, shop });
    expect(r).toEqual({
      ok: true,
      audience: 'customer',
      parts: [{ attachment: { type: 'template', payload: { template_type: 'button', text: 'You got M1 Blue dress ₱350.00 🎉 Reply here to check out within 30 min.', buttons: [{ type: 'postback', title: '🛒 Check out', payload: 'LIVE_CLAIM:42' }] } } }],
    });
  });

  it('gives the waitlisted their place and a way to open the chat, in one message', () => {
    const r = renderLive('live_reply', { kind: 'claim', lines: [{ ...held, outcome: 'waitlisted', position: 3 }], hold_minutes: 30, claim_id: 7 });
    expect(r.ok && r.parts).toHaveLength(1);
    const payload = r.ok ? (r.parts[0]!.attachment!.payload as { text: string; buttons: Array<{ title: string }> }) : null;
    expect(payload?.text).toBe('M1 Blue dress is sold out — you are #3 on the waitlist. If one frees up it is yours and we tell you here.');
    expect(payload?.buttons[0]!.title).toBe('🔔 Keep me posted');
  });

  it('answers price questions and unreadable claims with a hint', () => {
    const price = renderLive('live_reply', { kind: 'price_question', codes: [{ code: 'M1', name: 'Blue dress', price: '350.00', available: 3 }] });
    expect(price.ok && price.parts[0]!.text).toBe('M1 Blue dress ₱350.00 — 3 left\nTo claim, comment "mine M1".');
    const unclear = renderLive('live_reply', { kind: 'unclear', unknown_codes: ['M9'], example_code: 'M1' });
    expect(unclear.ok && unclear.parts[0]!.text).toBe('There is no M9 in this sale. To claim, comment "mine M1" (or "mine M1 x2" for two).');
  });

  it('gives the admins a tally and a summary per code', () => {
    const codes = [{ code: 'M1', name: 'Blue dress', stock: 5, claimed: 5, waitlist: 12, checked_out: 3, expired: 1 }];
    const tally = renderLive('live_tally', { sale_id: 3, codes });
    expect(tally).toMatchObject({ ok: true, audience: 'admin', parts: [{ text: '🎥 Live sale #3 tally\nM1 Blue dress: 5/5 claimed · 12 waiting' }] });
    const summary = renderLive('live_summary', { sale_id: 3, comments: 40, claims: 17, codes });
    expect(summary.ok && summary.parts[0]!.text).toBe('🎥 Live sale #3 ended: 40 comments, 17 claims.\nM1 Blue dress: 5/5 claimed (3 checked out, 1 expired) · 12 waiting');
  });

  it('says hold times in minutes, or seconds when shorter', () => {
    expect([holdTime(30), holdTime(1.5), holdTime(0.05)]).toEqual(['30 min', '1.5 min', '3 s']);
  });
});
