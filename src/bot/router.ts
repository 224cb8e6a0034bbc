import type { Botkit, BotWorker, BotkitMessage } from 'botkit';
import type { BotServices, QuickSellMessage, RouteHandler } from './turn.js';
import { say, turnOf } from './turn.js';
import { parsePayload } from './payloads.js';
import { help, menuReplies } from './messages-shop.js';
import { shopRoutes, searchByText } from './handlers/shop.js';
import { checkoutRoutes } from './handlers/checkout.js';
import { orderRoutes, receiveAttachment } from './handlers/orders.js';
import { adminRoutes, buildAdminDialogs } from './handlers/admin.js';
import { buildCheckoutDialog } from './handlers/checkout-dialog.js';
import { buildQuantityDialog } from './handlers/quantity-dialog.js';
import { liveRoutes, registerLiveWords } from './handlers/live.js';
import { buildLiveSaleDialog } from './handlers/live-dialog.js';
import { handoverRoutes } from './handover/handover-routes.js';
import { attachmentDuringQuestion, attachmentKind } from './messages-attachments.js';
import { adminCatalogRoutes, buildAddProductDialog } from './handlers/admin-catalog.js';
import { adminStockRoutes, buildStockDialogs } from './handlers/admin-stock.js';

/**
 * Wires everything into Botkit. Commands (every payload except ANSWER:…, typed "menu"/"cancel", photos,
 * referrals) are `interrupts`: a menu tap in the middle of a question leaves the question and does what
 * was tapped. Typed words go to `hears`; anything else is a product search, never silence.
 */
const STOP_WORDS = /^(menu|cancel|stop|start over|quit|exit)$/i;
const HELP_WORDS = /^(help|\?|tulong)$/i;

export function registerBot(controller: Botkit, s: BotServices): void {
  const routes: Record<string, RouteHandler> = {
    ...shopRoutes(s), ...checkoutRoutes(s), ...orderRoutes(s), ...adminRoutes(s), ...adminCatalogRoutes(s), ...adminStockRoutes(s),
  };
  Object.assign(routes, liveRoutes(s, routes.CART!), handoverRoutes(s));
  const dialogs = [buildCheckoutDialog(controller, s), buildQuantityDialog(controller, s), ...buildAdminDialogs(controller, s), buildLiveSaleDialog(controller, s)];
  for (const d of [...dialogs, buildAddProductDialog(controller, s), ...buildStockDialogs(controller, s)]) {
    controller.addDialog(d);
  }

  async function dispatch(bot: BotWorker, message: BotkitMessage, payload: string): Promise<void> {
    const { name, args } = parsePayload(payload);
    const route = routes[name];
    const t = turnOf(bot, message, args);
    await s.handover.understood(t.psid, t.notUnderstoodStreak);
    if (!route) {
      s.logger.info({ psid: t.psid, payload: payload.slice(0, 100) }, 'unknown payload; answered with help');
      return say(bot, help(t.admin !== null));
    }
    await route(t);
  }

  const isCommand = async (message: BotkitMessage) => {
    const m = message as QuickSellMessage;
    // an admin's photo answers the question being asked (➕ Add product's photo); without one it is handled below
    if (m.kind === 'attachment') return !(m.admin && m.attachments.some((a) => a.type === 'image' && a.url));
    if (m.kind === 'referral') return true;
    if (m.payload) return !m.payload.startsWith('ANSWER:');
    return STOP_WORDS.test((m.text ?? '').trim()) || HELP_WORDS.test((m.text ?? '').trim());
  };

  controller.interrupts(
    isCommand,
    'message',
    s.guard.handler(async (bot, message) => {
      const m = message as QuickSellMessage;
      if (m.kind === 'attachment') {
        // an attachment does not end a question: a photo is a payment proof, anything else a nudge to type the answer
        const kind = attachmentKind(m.attachments);
        if (bot.hasActiveDialog() && kind !== 'image') return say(bot, attachmentDuringQuestion(kind));
        return receiveAttachment(s, turnOf(bot, m));
      }
      await bot.cancelAllDialogs();
      if (m.kind === 'referral') return dispatch(bot, m, 'GET_STARTED');
      if (m.payload) return dispatch(bot, m, m.payload);
      await dispatch(bot, m, HELP_WORDS.test((m.text ?? '').trim()) ? 'HELP' : 'MENU');
    }),
  );

  const word = (re: RegExp, payload: string) =>
    controller.hears(re, 'message', s.guard.handler((bot, message) => dispatch(bot, message, payload)));
  word(/^(hi|hello|hey|good (morning|afternoon|evening)|get started|start)\b/i, 'GET_STARTED');
  word(/^(shop|browse|products|catalog)$/i, 'SHOP');
  word(/^(cart|my cart|basket)$/i, 'CART');
  word(/^(orders|my orders|order status)$/i, 'MY_ORDERS');
  word(/^(checkout|check out)$/i, 'CHECKOUT');
  word(/^admin$/i, 'ADMIN_MENU');
  registerLiveWords(controller, s, routes.LIVE_COMMAND!);

  controller.on(
    'message',
    s.guard.handler(async (bot, message) => {
      const m = message as QuickSellMessage;
      const t = turnOf(bot, m);
      if (m.kind === 'attachment') return receiveAttachment(s, t);
      if (m.payload?.startsWith('ANSWER:')) {
        return say(bot, { text: 'That question is already closed. What would you like to do?', quick_replies: menuReplies(t.admin !== null) });
      }
      if (await searchByText(s, t, m.text ?? '')) return s.handover.understood(t.psid, t.notUnderstoodStreak);
      // twice in a row the bot found nothing: a person takes over
      if (!t.admin && (await s.handover.notUnderstood(t.psid))) await s.handover.talkToPerson(t.run, t.psid, t.customer, 'the bot did not understand twice');
    }),
  );
}
