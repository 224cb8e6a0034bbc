import { BotkitConversation, type Botkit, type BotWorker } from 'botkit';
import type { BotkitDialogWrapper } from 'botkit';
import { CHECKOUT_FIELDS, type CheckoutField } from '../../orders/types.js';
import { orderRequestFrom, type SavedAddress } from '../../orders/cart-service.js';
import { checkoutSummary, promoRefused } from '../messages-checkout.js';
import { explainOrderFailure } from '../explain.js';
import type { BotServices } from '../turn.js';
import { say, turnOf } from '../turn.js';
import { P } from '../payloads.js';
import * as m from '../messages-shop.js';
import { paymentLabel } from '../../orders/payment-methods.js';
import { formatMoney } from '../../orders/money.js';

/**
 * The checkout questions as one BotkitConversation. Threads: default (saved address?) → name (the six
 * address fields, each checked with the engine's own rule and re-asked with its message) → payment →
 * promo → summary. Answers are saved in the cart's checkout JSON as they come, so "Place order" (a
 * command, not part of this dialog) reads them from MySQL. Options: { user_id, has_saved?, saved_text?,
 * thread?, edit_only? }.
 */
export const CHECKOUT_DIALOG = 'checkout';

const PROMPTS: Record<CheckoutField, string> = {
  name: 'Who should we deliver to? Please type the full name.',
  phone: 'Mobile number for the courier? (e.g. 09171234567)',
  address: 'House/unit no., street and barangay?',
  city: 'City or municipality?',
  province: 'Province? Tap one or type it.',
  postal_code: 'Postal code? (4 digits)',
};
const PROVINCES = ['Metro Manila', 'Cavite', 'Laguna', 'Bulacan', 'Rizal', 'Cebu', 'Davao del Sur'];

/** A quick-reply answer's value ('ANSWER:gcash' → 'gcash'), or the typed text. */
export const answerValue = (answer: string | null): string => (answer ?? '').replace(/^ANSWER:/, '').trim();

export function buildCheckoutDialog(controller: Botkit, s: BotServices): BotkitConversation {
  const d = new BotkitConversation(CHECKOUT_DIALOG, controller);
  const userId = (convo: BotkitDialogWrapper) => Number(convo.vars.user_id);

  d.before('default', s.guard.before(async (convo) => {
    if (!convo.vars.has_saved) await convo.gotoThread('name');
  }));
  d.ask(
    {
      text: (_t: unknown, vars: Record<string, unknown>) => `Ship to your saved address?\n${String(vars.saved_text)}`,
      quick_replies: [
        { title: 'Yes, ship there', payload: P.answer('yes') },
        { title: 'New address', payload: P.answer('no') },
      ],
    },
    s.guard.convo(async (answer, convo, bot, message) => {
      const v = answerValue(answer).toLowerCase();
      if (v === 'yes' || v === 'y') {
        const saved = turnOf(bot, message).customer.saved_address;
        if (saved) await s.carts.saveCheckout(userId(convo), saved);
        return convo.gotoThread('payment');
      }
      if (v === 'no' || v === 'n') return convo.gotoThread('name');
      await say(bot, { text: 'Please tap "Yes, ship there" or "New address".' });
      await convo.repeat();
    }),
    null,
  );

  for (const field of CHECKOUT_FIELDS) {
    const quick = field === 'province' ? PROVINCES.map((p) => ({ title: p, payload: P.answer(p) })) : undefined;
    d.addQuestion(
      { text: [PROMPTS[field]], ...(quick ? { quick_replies: quick } : {}) },
      s.guard.convo(async (answer, convo, bot) => {
        const check = s.orders.validateCheckoutField(field, answerValue(answer));
        if (!check.ok) {
          await say(bot, { text: `${check.message} Let's try that again.` });
          return convo.repeat();
        }
        await s.carts.saveCheckout(userId(convo), { [field]: check.value });
        if (field === 'postal_code') await s.carts.saveAddress(userId(convo), (await s.carts.checkout(userId(convo))) as SavedAddress);
      }),
      null,
      'name',
    );
  }
  d.addAction('payment', 'name');

  d.before('payment', s.guard.before(async (convo, bot) => {
    const view = await s.carts.view(userId(convo));
    if (!view.checkout.province) return;
    const quote = await s.orders.quoteShipping(view.checkout.province, view.subtotal);
    // `before` runs again when the payment question is repeated: say the fee once per quote
    const key = `${quote.province}|${quote.fee}`;
    if (convo.vars.fee_for === key) return;
    convo.setVar('fee_for', key);
    await say(bot, { text: `Delivery to ${quote.province}: ${quote.is_free ? 'FREE 🎉' : formatMoney(quote.fee, s.config.CURRENCY)}` });
  }));
  d.addQuestion(
    { text: [m.paymentQuestion(s.config.PAYMENT_METHODS).text!], quick_replies: m.paymentQuestion(s.config.PAYMENT_METHODS).quick_replies! },
    s.guard.convo(async (answer, convo, bot) => {
      const method = parsePaymentMethod(answerValue(answer), s.config.PAYMENT_METHODS);
      if (!method) {
        await say(bot, { text: `Please pick one of: ${s.config.PAYMENT_METHODS.map(paymentLabel).join(', ')}.` });
        return convo.repeat();
      }
      await s.carts.saveCheckout(userId(convo), { payment_method: method });
      if (convo.vars.edit_only) await convo.gotoThread('summary');
    }),
    null,
    'payment',
  );
  d.addAction('promo', 'payment');

  d.addQuestion(
    { text: ['Do you have a promo code? Type it, or tap "No promo code".'], quick_replies: [{ title: 'No promo code', payload: P.answer('none') }] },
    s.guard.convo(async (answer, convo, bot) => {
      const raw = answerValue(answer);
      if (answer === P.answer('none') || /^(none|no|wala)$/i.test(raw)) {
        await s.carts.saveCheckout(userId(convo), { promo_code: null });
        return;
      }
      const code = raw.toUpperCase();
      if (!/^[A-Z0-9_-]{2,50}$/.test(code)) {
        await say(bot, { text: 'A promo code is 2–50 letters or numbers (no spaces).' });
        return convo.repeat();
      }
      await s.carts.saveCheckout(userId(convo), { promo_code: code });
    }),
    null,
    'promo',
  );
  d.addAction('summary', 'promo');

  d.before('summary', s.guard.before(async (convo, bot) => sendSummary(s, bot, userId(convo))));
  d.addAction('complete', 'summary');
  return d;
}

export function parsePaymentMethod(v: string, allowed: string[]): string | null {
  const x = v.toLowerCase().replace(/[^a-z]/g, '');
  const method = x === 'cod' || x.startsWith('cash') ? 'cod' : x.startsWith('gcash') ? 'gcash' : x.startsWith('bank') ? 'bank_transfer' : x;
  return allowed.includes(method) ? method : null;
}

/** The summary with Place order / Edit; if answers are missing (cart edited elsewhere), says what to do. */
export async function sendSummary(s: BotServices, bot: BotWorker, userId: number): Promise<void> {
  const view = await s.carts.view(userId);
  if (!view.lines.length) return say(bot, m.emptyCart());
  const c = view.checkout;
  if (!CHECKOUT_FIELDS.every((f) => c[f]) || !c.payment_method) {
    return say(bot, { text: 'A few delivery details are still missing.', quick_replies: [{ title: '✅ Checkout', payload: P.CHECKOUT }] });
  }
  const quote = await s.orders.quoteOrder(orderRequestFrom(userId, view), view.cart_id);
  if (quote.success) return say(bot, checkoutSummary(view, quote, s.config.CURRENCY));
  // named before "Place order": the shopper changes the code (or drops it) and sees the new summary
  if (quote.code === 'INVALID_PROMO') return say(bot, promoRefused(quote.validation_errors[0]?.message ?? quote.error));
  await say(bot, { text: explainOrderFailure(quote), quick_replies: [{ title: '🛒 Cart', payload: P.CART }, { title: '✏️ Edit', payload: P.EDIT }] });
}
