import { BotkitConversation, type Botkit } from 'botkit';
import { adminActor, type Admin } from '../../admins/admin-service.js';
import type { BotServices, RouteHandler, Turn } from '../turn.js';
import { say, turnOf } from '../turn.js';
import { idArg, P } from '../payloads.js';
import * as m from '../messages-orders.js';
import { explainActionFailure } from '../explain.js';
import { answerValue } from './checkout-dialog.js';

/**
 * The admin's side: alerts' quick replies (ADMIN_CONFIRM / ADMIN_CANCEL / ADMIN_DETAILS) and the admin
 * menu. Every route checks that the sender is an admin first; anyone else is refused and nothing changes.
 */
export const actorOf = adminActor;

/** A route only admins may run; anyone else is refused and nothing changes. */
export const adminOnly =
  (s: BotServices) =>
  (fn: (t: Turn, admin: Admin) => Promise<void>): RouteHandler =>
  async (t) => {
    if (!t.admin) {
      s.logger.warn({ psid: t.psid, payload: t.message.payload }, 'admin payload from a non-admin refused');
      return say(t.bot, { text: 'Sorry, that action is only for the shop’s admins.', quick_replies: [{ title: '🛍️ Shop', payload: P.SHOP }] });
    }
    await fn(t, t.admin);
  };

export function adminRoutes(s: BotServices): Record<string, RouteHandler> {
  const guard = adminOnly(s);

  async function loadOrder(t: Turn) {
    const id = idArg(t.args[0]);
    const order = id ? await s.orders.getOrder(id) : null;
    if (!order) await say(t.bot, { text: 'That order was not found.', quick_replies: m.adminMenu().quick_replies! });
    return order;
  }

  const listByStatus = async (statuses: Array<'pending' | 'confirmed' | 'processing' | 'shipped'>) =>
    (await Promise.all(statuses.map((status) => s.orders.listOrders({ status, limit: 10 })))).flatMap((p) => p.orders).slice(0, 10);

  return {
    ADMIN_MENU: guard(async (t) => say(t.bot, m.adminMenu())),
    ADMIN_PENDING: guard(async (t) => say(t.bot, m.adminOrdersCarousel(await listByStatus(['pending']), 'No pending orders. 🎉', s.config.CURRENCY))),
    ADMIN_TO_SHIP: guard(async (t) =>
      say(t.bot, m.adminOrdersCarousel(await listByStatus(['confirmed', 'processing', 'shipped']), 'Nothing to ship or deliver.', s.config.CURRENCY)),
    ),
    ADMIN_LOW_STOCK: guard(async (t) => say(t.bot, m.lowStockText((await s.orders.reportSummary()).inventory_alerts))),
    ADMIN_DETAILS: guard(async (t) => {
      const order = await loadOrder(t);
      if (order) await say(t.bot, m.adminOrderDetails(order, s.config.CURRENCY));
    }),
    ADMIN_CONFIRM: guard(async (t, admin) => {
      const order = await loadOrder(t);
      if (!order) return;
      const r = await s.orders.confirmOrder(order.id, undefined, actorOf(admin));
      if (!r.success) return say(t.bot, { text: explainActionFailure(r, order.order_number, s.config.SHOP_TIMEZONE), quick_replies: m.adminMenu().quick_replies! });
      await say(t.bot, { text: `✅ ${order.order_number} confirmed. The customer is being notified.`, quick_replies: m.adminActions({ id: order.id, order_status: r.order_status }) });
    }),
    ADMIN_CANCEL: guard(async (t) => {
      const order = await loadOrder(t);
      if (!order) return;
      if (order.order_status !== 'pending' && order.order_status !== 'confirmed') {
        return say(t.bot, { text: `${order.order_number} is ${order.order_status}; it can no longer be cancelled.` });
      }
      await t.bot.beginDialog(ADMIN_CANCEL_DIALOG, { order_id: order.id, order_number: order.order_number });
    }),
    ADMIN_SHIP: guard(async (t) => {
      const order = await loadOrder(t);
      if (order) await t.bot.beginDialog(ADMIN_SHIP_DIALOG, { order_id: order.id, order_number: order.order_number });
    }),
    ADMIN_DELIVER: guard(async (t, admin) => {
      const order = await loadOrder(t);
      if (!order) return;
      const r = await s.orders.deliverOrder(order.id, actorOf(admin));
      if (!r.success) return say(t.bot, { text: explainActionFailure(r, order.order_number, s.config.SHOP_TIMEZONE) });
      await say(t.bot, { text: `🎉 ${order.order_number} marked delivered.`, quick_replies: m.adminMenu().quick_replies! });
    }),
  };
}

export const ADMIN_CANCEL_DIALOG = 'admin_cancel';
export const ADMIN_SHIP_DIALOG = 'admin_ship';

/** Cancel reason and tracking number questions (options: { order_id, order_number }). */
export function buildAdminDialogs(controller: Botkit, s: BotServices): BotkitConversation[] {
  const cancel = new BotkitConversation(ADMIN_CANCEL_DIALOG, controller);
  cancel.ask(
    {
      text: (_t: unknown, vars: Record<string, unknown>) => m.cancelReasonQuestion(String(vars.order_number)).text!,
      quick_replies: m.cancelReasonQuestion('').quick_replies!,
    },
    s.guard.convo(async (answer, convo, bot, message) => {
      const t = turnOf(bot, message);
      const reason = answerValue(answer).slice(0, 500);
      if (!t.admin) return; // not reachable: the dialog is only begun by an admin
      if (reason.length < 2) {
        await say(bot, { text: 'Please give a short reason.' });
        return convo.repeat();
      }
      const orderNumber = String(convo.vars.order_number);
      // 'pending': a Cancel that loses the race to another admin's Confirm must not cancel the confirmed order
      const r = await s.orders.cancelOrder(Number(convo.vars.order_id), reason, actorOf(t.admin), 'pending');
      if (!r.success) return say(bot, { text: explainActionFailure(r, orderNumber, s.config.SHOP_TIMEZONE) });
      await say(bot, { text: `❌ ${orderNumber} cancelled (${reason}). Stock released; the customer is being told.`, quick_replies: m.adminMenu().quick_replies! });
    }),
    null,
  );

  const ship = new BotkitConversation(ADMIN_SHIP_DIALOG, controller);
  ship.ask(
    {
      text: (_t: unknown, vars: Record<string, unknown>) => `Tracking number for ${String(vars.order_number)}? Type it, or tap "No tracking no.".`,
      quick_replies: [{ title: 'No tracking no.', payload: P.answer('none') }],
    },
    s.guard.convo(async (answer, convo, bot, message) => {
      const t = turnOf(bot, message);
      if (!t.admin) return;
      const value = answer === P.answer('none') ? '' : answerValue(answer);
      if (value && !/^[A-Za-z0-9 -]{3,100}$/.test(value)) {
        await say(bot, { text: 'A tracking number is 3–100 letters, digits, spaces or dashes.' });
        return convo.repeat();
      }
      const orderNumber = String(convo.vars.order_number);
      const r = await s.orders.shipOrder(Number(convo.vars.order_id), value ? { tracking_number: value } : {}, actorOf(t.admin));
      if (!r.success) return say(bot, { text: explainActionFailure(r, orderNumber, s.config.SHOP_TIMEZONE) });
      await say(bot, { text: `🚚 ${orderNumber} marked shipped${value ? ` (tracking ${value})` : ''}.`, quick_replies: m.adminMenu().quick_replies! });
    }),
    null,
  );
  return [cancel, ship];
}
