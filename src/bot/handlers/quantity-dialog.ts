import { BotkitConversation, type Botkit } from 'botkit';
import type { BotServices } from '../turn.js';
import { say, turnOf } from '../turn.js';
import { addedToCart } from '../messages-shop.js';
import { P } from '../payloads.js';

/** "Other" quantity: asks for a number and adds (or sets) it; options { product_id, mode: 'add' | 'set' }. */
export const QUANTITY_DIALOG = 'quantity';

export function buildQuantityDialog(controller: Botkit, s: BotServices): BotkitConversation {
  const d = new BotkitConversation(QUANTITY_DIALOG, controller);
  d.ask(
    'How many would you like? Type a number.',
    s.guard.convo(async (answer, convo, bot, message) => {
      const t = turnOf(bot, message);
      const text = (answer ?? '').trim();
      if (!/^\d{1,6}$/.test(text)) {
        await say(bot, { text: 'Please type a whole number, like 7.' });
        return convo.repeat();
      }
      const productId = Number(convo.vars.product_id);
      const r =
        convo.vars.mode === 'set'
          ? await s.carts.setQuantity(t.customer.id, productId, Number(text))
          : await s.carts.addItem(t.customer.id, productId, Number(text));
      if (!r.ok) {
        await say(bot, { text: `${r.message} Type another number, or tap a menu button.`, quick_replies: [{ title: '🛒 Cart', payload: P.CART }] });
        return convo.repeat();
      }
      await say(bot, addedToCart(r.product_name, r.quantity));
    }),
    null,
  );
  return d;
}
