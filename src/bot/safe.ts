import type { BotWorker, BotkitMessage } from 'botkit';
import type { BotkitDialogWrapper } from 'botkit';
import type { Logger } from 'pino';
import { menuReplies, type BotMessage } from './messages-shop.js';

/**
 * Botkit runs handlers inside callbacks whose rejections nobody awaits: a throw would hang the turn and
 * can kill the process. Every handler, dialog answer handler and thread `before` hook is wrapped here:
 * the error is logged, the user gets a short apology, and the turn ends normally.
 */
export const APOLOGY: BotMessage = {
  text: 'Sorry, something went wrong on our side 🙏 Please try again, or pick from the menu.',
  quick_replies: menuReplies(),
};

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
        await bot.cancelAllDialogs().catch(() => undefined);
        await apologize(bot, err, 'handler');
      }
    },
    convo: (fn) => async (answer, convo, bot, message) => {
      try {
        return await fn(answer, convo, bot, message);
      } catch (err) {
        await apologize(bot, err, 'dialog answer');
        await convo.repeat(); // ask the same question again: the answer was not taken
      }
    },
    before: (fn) => async (convo, bot) => {
      try {
        return await fn(convo, bot);
      } catch (err) {
        await apologize(bot, err, 'dialog step');
        await convo.stop();
      }
    },
  };
}
