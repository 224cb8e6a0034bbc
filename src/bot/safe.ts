import type { BotWorker, BotkitMessage } from 'botkit';
import type { BotkitDialogWrapper } from 'botkit';
import type { Logger } from 'pino';
import { menuReplies, type BotMessage } from './messages-shop.js';
import { isOutage } from '../db/outage.js';
import { GraphError } from './send-api.js';
import { isLeaseLost } from './turn-lease.js';

/**
 * Botkit runs handlers inside callbacks whose rejections nobody awaits: a throw would hang the turn and
 * can kill the process. Every handler, dialog answer handler and thread `before` hook is wrapped here.
 * A bug: the error is logged, the user gets a short apology, and the turn ends normally. An outage
 * (isTurnOutage) is rethrown untouched: it ends the turn before its state is saved, and the turn runner
 * keeps the event at the head of the user's inbox and runs the whole turn again once the outage is over.
 */
export const APOLOGY: BotMessage = {
  text: 'Sorry, something went wrong on our side 🙏 Please try again, or pick from the menu.',
  quick_replies: menuReplies(),
};

/** Told after a chat event was given up: the outage lasted longer than TURN_OUTAGE_DEADLINE_MS. */
export const OUTAGE_APOLOGY =
  'Sorry, we could not handle your last message: our shop system was unavailable for a while 🙏 Please send it again.';

/**
 * An outage of MySQL, Redis or the network (see src/db/outage.ts), or a Send API failure that provably did
 * not reach Graph (or Graph said "try again"): the turn is worth running again later. A lost lease
 * (turn-lease.ts) is passed up the same way: no apology, the run that has the user finishes the turn.
 */
export function isTurnOutage(err: unknown): boolean {
  if (isLeaseLost(err)) return true; // not ours to finish: passed up untouched to the turn runner
  if (err instanceof GraphError) return err.isTemporary;
  // botbuilder wraps what a dialog throws (a failed question send, see botkit-fixes.ts) in a DialogContextError
  const wrapped = err as { name?: unknown; error?: unknown } | null;
  if (wrapped?.name === 'DialogContextError' && wrapped.error instanceof Error) return isTurnOutage(wrapped.error);
  return isOutage(err);
}

type Handler = (bot: BotWorker, message: BotkitMessage) => Promise<unknown>;
type ConvoHandler = (answer: string, convo: BotkitDialogWrapper, bot: BotWorker, message: BotkitMessage) => Promise<unknown>;
type BeforeHook = (convo: BotkitDialogWrapper, bot: BotWorker) => Promise<unknown>;

export interface Guards {
  handler(fn: Handler): (bot: BotWorker, message: BotkitMessage) => Promise<void>;
  convo(fn: ConvoHandler): ConvoHandler;
  before(fn: BeforeHook): BeforeHook;
}

export function createGuards(logger: Logger): Guards {
  async function apologize(bot: BotWorker, err: unknown, where: string): Promise<void> {
    const psid = (bot.getConfig('context')?.activity?.from?.id as string | undefined) ?? null;
    logger.error({ err, psid, where }, 'bot handler failed');
    try {
      await bot.say(APOLOGY as Partial<BotkitMessage>);
    } catch (sendErr) {
      logger.warn({ err: sendErr, psid }, 'could not send the apology');
    }
  }
  return {
    handler: (fn) => async (bot, message) => {
      try {
        await fn(bot, message);
      } catch (err) {
        if (isTurnOutage(err)) throw err;
        await bot.cancelAllDialogs().catch(() => undefined);
        await apologize(bot, err, 'handler');
      }
    },
    convo: (fn) => async (answer, convo, bot, message) => {
      try {
        return await fn(answer, convo, bot, message);
      } catch (err) {
        if (isTurnOutage(err)) throw err;
        await apologize(bot, err, 'dialog answer');
        await convo.repeat(); // ask the same question again: the answer was not taken
      }
    },
    before: (fn) => async (convo, bot) => {
      try {
        return await fn(convo, bot);
      } catch (err) {
        if (isTurnOutage(err)) throw err;
        await apologize(bot, err, 'dialog step');
        await convo.stop();
      }
    },
  };
}
