import { BotkitConversation, type Botkit } from 'botkit';
import { adminActor } from '../../admins/admin-service.js';
import type { BotServices, RouteHandler, Turn } from '../turn.js';
import { say, turnOf } from '../turn.js';
import { idArg } from '../payloads.js';
import { catalogMenuReplies, stockActions, stockPicker, stockStatus } from '../messages-admin-catalog.js';
import { adminOnly } from './admin.js';
import { answerValue } from './checkout-dialog.js';
import type { BotMessage } from '../messages-shop.js';

/**
 * 📦 Stock: pick (or search) a product → set stock / add N / hide / show. The engine records every change
 * in inventory_adjustments and refuses stock below what is reserved (its message says how many).
 */
export const ADMIN_STOCK_SEARCH_DIALOG = 'admin_stock_search';
export const ADMIN_STOCK_NUMBER_DIALOG = 'admin_stock_number';

export function adminStockRoutes(s: BotServices): Record<string, RouteHandler> {
  const guard = adminOnly(s);
  async function product(t: Turn) {
    const id = idArg(t.args[0]);
    const p = id ? await s.orders.getProduct(id) : null;
    if (!p) await say(t.bot, { text: 'That product was not found.', quick_replies: catalogMenuReplies() });
    return p;
  }
  return {
    ADMIN_STOCK: guard(async (t) => {
      const page = await s.orders.listProducts({ status: 'all', limit: 12 });
      await t.bot.beginDialog(ADMIN_STOCK_SEARCH_DIALOG, { picker: stockPicker(page.products, '📦 Which product?') });
    }),
    ADMIN_STOCK_OF: guard(async (t) => {
      const p = await product(t);
      if (p) await say(t.bot, stockActions(p));
    }),
    ADMIN_STOCK_DO: guard(async (t, admin) => {
      const p = await product(t);
      if (!p) return;
      const action = t.args[1];
      if (action === 'set' || action === 'add') {
        return t.bot.beginDialog(ADMIN_STOCK_NUMBER_DIALOG, { product_id: p.id, action, name: p.name });
      }
      if (action !== 'hide' && action !== 'show') return say(t.bot, stockActions(p));
      const r = await s.orders.setVisibility(p.id, action === 'show', adminActor(admin));
      if (!r.success) return say(t.bot, { text: r.error, quick_replies: catalogMenuReplies() });
      await say(t.bot, stockActions(r.product));
    }),
  };
}

export function buildStockDialogs(controller: Botkit, s: BotServices): BotkitConversation[] {
  // typed text after "Which product?" searches (a tapped product is a command and leaves this question)
  // the question is the picker itself (vars.picker): products as quick replies, typed text searches again
  const search = new BotkitConversation(ADMIN_STOCK_SEARCH_DIALOG, controller);
  search.ask(
    {
      text: (_t: unknown, vars: Record<string, unknown>) => (vars.picker as BotMessage).text!,
      quick_replies: ((_line: unknown, vars: Record<string, unknown>) => (vars.picker as BotMessage).quick_replies ?? []) as never,
    },
    s.guard.convo(async (answer, convo) => {
      const text = answerValue(answer);
      const page = await s.orders.listProducts({ status: 'all', search: text || undefined, limit: 12 });
      convo.setVar('picker', stockPicker(page.products, text ? `Products matching "${text.slice(0, 40)}":` : '📦 Which product?'));
      await convo.repeat();
    }),
    null,
  );

  const number = new BotkitConversation(ADMIN_STOCK_NUMBER_DIALOG, controller);
  number.ask(
    {
      text: (_t: unknown, vars: Record<string, unknown>) =>
        vars.action === 'set' ? `New stock on hand for ${String(vars.name)}? (a count, e.g. 24)` : `How many ${String(vars.name)} to add? (e.g. 10; a minus number removes)`,
    },
    s.guard.convo(async (answer, convo, bot, message) => {
      const t = turnOf(bot, message);
      if (!t.admin) return;
      const v = answerValue(answer);
      if (!/^-?\d{1,7}$/.test(v)) {
        await say(bot, { text: 'Please type a whole number.' });
        return convo.repeat();
      }
      const id = Number(convo.vars.product_id);
      const actor = adminActor(t.admin);
      const before = await s.orders.getProduct(id);
      const r = convo.vars.action === 'set'
        ? await s.orders.setStock(id, Number(v), 'stock count (chat)', actor)
        : await s.orders.adjustStock(id, Number(v), 'stock added (chat)', actor);
      if (!r.success) {
        await say(bot, { text: `${r.error}. Type another number.` });
        return convo.repeat();
      }
      await say(bot, { text: `✅ Stock of ${r.product.name}: ${before?.stock_quantity ?? '?'} → ${r.product.stock_quantity}. ${stockStatus(r.product)}`, quick_replies: catalogMenuReplies() });
    }),
    null,
  );
  return [search, number];
}
