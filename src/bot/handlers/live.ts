import type { Botkit } from 'botkit';
import type { LiveSales } from '../../orders/live/live-sales.js';
import { adminActor } from '../../admins/admin-service.js';
import type { BotServices, RouteHandler } from '../turn.js';
import { say, turnOf } from '../turn.js';
import { idArg, P } from '../payloads.js';
import { LIVE_SALE_DIALOG } from './live-dialog.js';
import { LATEST_LIVE } from '../../orders/live/live-types.js';

/**
 * Live selling in chat. Buyers: the Private Reply's button (LIVE_CLAIM) shows the cart the held items
 * were put in (see live-turns.ts). Admins: 🎥 Live sale (LIVE_SALE) asks for the post and codes, and a typed
 * command does it — `live <post id> M1=<product id> M2=<product id>/2` (/2: at most 2 per buyer; `latest`
 * for the post id: the Page's live video broadcasting now), `live <sale id>` for the tally, `live stop <sale id>`.
 */
export const LIVE_COMMAND = /^live\b/i;

const USAGE =
  '🎥 Live sale set-up: type\n' +
  'live <post id> M1=<product id> M2=<product id>/2\n' +
  '(code = product id; /2 means at most 2 per buyer; post id "latest" = the Page\'s live video now)\n' +
  'live <sale id> — the tally · live stop <sale id> — end it with a summary';

export function parseLiveCommand(text: string):
  | { action: 'start'; post_id: string; items: Array<{ code: string; product_id: number; limit_per_buyer?: number }> }
  | { action: 'stop' | 'show'; id: number }
  | { action: 'help' } {
  const words = text.trim().split(/\s+/).slice(1);
  if (words[0]?.toLowerCase() === 'stop' && idArg(words[1])) return { action: 'stop', id: idArg(words[1])! };
  if (words.length === 1 && idArg(words[0])) return { action: 'show', id: idArg(words[0])! };
  if (words.length >= 2) {
    const items = words.slice(1).map((w) => /^([A-Za-z0-9-]{1,20})=(\d{1,15})(?:\/(\d{1,4}))?$/.exec(w));
    if (items.every(Boolean)) {
      return {
        action: 'start',
        post_id: /^latest(_live)?$/i.test(words[0]!) ? LATEST_LIVE : words[0]!,
        items: items.map((m) => ({ code: m![1]!, product_id: Number(m![2]), ...(m![3] ? { limit_per_buyer: Number(m![3]) } : {}) })),
      };
    }
  }
  return { action: 'help' };
}

export function startedText(code: string, sale: NonNullable<Awaited<ReturnType<LiveSales['getSale']>>>): string {
  return `✅ Live! Buyers can comment "mine ${code}".\n${tallyText(sale)}`;
}

function tallyText(sale: NonNullable<Awaited<ReturnType<LiveSales['getSale']>>>): string {
  const lines = sale.codes.map((c) => `${c.code} ${c.name}: ${c.claimed}/${c.stock} claimed · ${c.waitlist} waiting`);
  return `🎥 Live sale #${sale.id} (${sale.status}) on ${sale.post_id}\n${lines.join('\n')}`;
}

export function liveRoutes(s: BotServices & { live: LiveSales }, showCart: RouteHandler): Record<string, RouteHandler> {
  const adminOnly = (fn: RouteHandler): RouteHandler => async (t) => {
    if (!t.admin) return say(t.bot, { text: 'Sorry, that action is only for the shop’s admins.', quick_replies: [{ title: '🛍️ Shop', payload: P.SHOP }] });
    await fn(t);
  };
  return {
    LIVE_CLAIM: showCart,
    LIVE_SALE: adminOnly(async (t) => t.bot.beginDialog(LIVE_SALE_DIALOG)),
    LIVE_COMMAND: adminOnly(async (t) => {
      const cmd = parseLiveCommand(t.message.text ?? '');
      const actor = adminActor(t.admin!);
      if (cmd.action === 'help') return say(t.bot, { text: USAGE });
      if (cmd.action === 'start') {
        const r = await s.live.createSale({ post_id: cmd.post_id, items: cmd.items }, actor);
        if (!r.success) return say(t.bot, { text: `Could not start the live sale: ${r.error}` });
        return say(t.bot, { text: startedText(cmd.items[0]!.code, (await s.live.getSale(r.id))!) });
      }
      if (cmd.action === 'stop') {
        const r = await s.live.stopSale(cmd.id, actor);
        return say(t.bot, { text: r.success ? `⏹️ Live sale #${cmd.id} stopped; the summary is on its way.` : r.error });
      }
      const sale = await s.live.getSale(cmd.id);
      return say(t.bot, { text: sale ? tallyText(sale) : `No live sale #${cmd.id}.` });
    }),
  };
}

/** The typed command (admins only: for anyone else "live …" stays a product search). */
export function registerLiveWords(controller: Botkit, s: BotServices, route: RouteHandler): void {
  controller.hears(
    async (message) => LIVE_COMMAND.test(String(message.text ?? '')) && Boolean((message as { admin?: unknown }).admin),
    'message',
    s.guard.handler((bot, message) => route(turnOf(bot, message))),
  );
}
