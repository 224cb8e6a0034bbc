import { randomUUID } from 'node:crypto';
import type { BotWorker, BotkitMessage } from 'botkit';
import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Admin, AdminService } from '../admins/admin-service.js';
import type { OrderService } from '../orders/index.js';
import type { CartService, Customer } from '../orders/cart-service.js';
import { menuReplies, type BotMessage } from './messages-shop.js';
import type { MessengerChannelData } from './messenger-adapter.js';
import type { Guards } from './safe.js';
import type { ProductImages } from '../media/product-images.js';
import type { LiveSales } from '../orders/live/live-sales.js';
import type { Handover } from './handover/handover.js';
import { runOf, type TurnRun } from './turn-lease.js';

/** What every handler gets: the services, and the one turn it is answering. */
export interface BotServices {
  config: Config;
  orders: OrderService;
  carts: CartService;
  admins: AdminService;
  logger: Logger;
  guard: Guards;
  /** product photos (the admin's Add product dialog) */
  images: ProductImages;
  live: LiveSales;
  handover: Handover;
}

/** Per-turn facts the runner looked up before Botkit saw the message (kept in the activity's channelData). */
export interface TurnFacts {
  customer: Customer;
  admin: Admin | null;
  /** the user's last answer was "could not find anything" (see handover.notUnderstood) */
  notUnderstoodStreak: boolean;
}

export type QuickSellMessage = BotkitMessage & MessengerChannelData & TurnFacts;

export interface Turn extends TurnFacts {
  bot: BotWorker;
  message: QuickSellMessage;
  psid: string;
  /** payload arguments ('ADD:12' → ['12']) */
  args: string[];
  /** this run of the turn (turn-lease.ts): the sends around Botkit go out once per inbound event, under its lease */
  run: TurnRun;
}

export type RouteHandler = (turn: Turn) => Promise<void>;

export function turnOf(bot: BotWorker, message: BotkitMessage, args: string[] = []): Turn {
  const m = message as QuickSellMessage;
  // the adapter's processEvent gave the context its run; a message from anywhere else sends as a run of its own
  const run = runOf(bot.getConfig('context') as TurnContext | undefined) ?? { inboundId: m.incoming_message?.id ?? '', owner: randomUUID() };
  return { bot, message: m, psid: m.user, customer: m.customer, admin: m.admin, notUnderstoodStreak: m.notUnderstoodStreak, args, run };
}

/** Send messages in order; Botkit copies quick_replies / attachment into channelData for the adapter. */
export async function say(bot: BotWorker, ...messages: Array<BotMessage | null | undefined>): Promise<void> {
  for (const m of messages) if (m) await bot.say(m as Partial<BotkitMessage>);
}

/**
 * A payload the bot knows whose argument it cannot use (a forged, truncated or outdated button): logged
 * and answered with the menu, never silence.
 */
export async function sayStaleButton(s: Pick<BotServices, 'logger'>, t: Turn): Promise<void> {
  s.logger.info({ psid: t.psid, payload: String(t.message.payload ?? '').slice(0, 100) }, 'payload with an unusable argument');
  await say(t.bot, { text: 'Sorry, that button is out of date. Here is the menu:', quick_replies: menuReplies(t.admin !== null) });
}
