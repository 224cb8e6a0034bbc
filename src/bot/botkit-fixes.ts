import { Botkit, BotWorker, type BotkitMessage } from 'botkit';
import { TurnContext, type BotState, type ConversationState, type StatePropertyAccessor } from 'botbuilder';
import { leaseOf } from './turn-lease.js';
import type { TurnStateStorage } from './redis-storage.js';

/**
 * Botkit 4.15 traps fixed by subclassing (Botkit is dormant upstream, so no patch will come):
 * `BotWorker.say`, `Botkit.handleTurn` and `processTriggersAndEvents` run their work inside middleware
 * callbacks whose promise nobody awaits, so a failed Send API call or a throwing handler becomes an
 * unhandled rejection (which ends a Node process) and the turn never finishes; and `trigger` rethrows a
 * handler's error as `Error(String(err))`, losing its code. Here all of it awaits properly and errors
 * reach the caller untouched: the handler guard, or (an outage, rethrown by the guard) the turn runner.
 * QuickSell registers no `interpret` middleware, so triggers and events run without that middleware step.
 */
export class MessengerBotWorker extends BotWorker {
  override async say(message: Partial<BotkitMessage> | string): Promise<unknown> {
    const context = this.getConfig('context') as TurnContext;
    return context.sendActivity(this.ensureMessageFormat(message));
  }
}

type EventHandler = (this: BotWorker, bot: BotWorker, message: BotkitMessage) => Promise<unknown>;
interface BotkitInternals {
  listenForInterrupts(bot: BotWorker, message: BotkitMessage): Promise<unknown>;
  listenForTriggers(bot: BotWorker, message: BotkitMessage): Promise<unknown>;
  _events: Record<string, EventHandler[] | undefined>;
}

const PROMPT_SEND_ERROR = Symbol('quicksell.promptSendError');
const BOTKIT_PROMPT_FAILED = /^Failed to start prompt /;

/**
 * BotkitConversation catches any error of sending a question (a Graph outage or timeout), sends the user
 * "Failed to start prompt <id>" and moves the dialog on as if the question were answered. Here that text
 * never goes out: sending it rethrows the send's own error, so the failure reaches the turn runner like
 * any other Graph failure and the dialog state is not saved past the question.
 */
function rethrowFailedPrompts(context: TurnContext): void {
  context.onSendActivities(async (ctx, activities, next) => {
    if (activities.some((a) => typeof a.text === 'string' && BOTKIT_PROMPT_FAILED.test(a.text))) {
      throw ctx.turnState.get(PROMPT_SEND_ERROR) ?? new Error('Botkit could not send a dialog question');
    }
    try {
      return await next();
    } catch (err) {
      ctx.turnState.set(PROMPT_SEND_ERROR, err);
      throw err;
    }
  });
}

/**
 * The id of the last inbound event whose turn ran to its end, saved in the conversation state with the
 * dialog state it produced (one write). A turn that finished and saved but whose event was not popped from
 * the inbox (Redis unreachable or restarting at that moment, see turn-runner.ts) comes round again: it
 * finds its own id here and does nothing, instead of running against the state it already advanced (which
 * answered e.g. a province tap as a wrong postal code and asked the postal code twice: `npm run chaos`).
 */
const LAST_EVENT = 'quicksellLastEvent';

export class QuickSellBotkit extends Botkit {
  private lastEvent?: StatePropertyAccessor<string>;

  override async handleTurn(turnContext: TurnContext): Promise<void> {
    rethrowFailedPrompts(turnContext);
    const activity = turnContext.activity;
    const message = {
      ...activity.channelData,
      type: activity.channelData?.botkitEventType ?? activity.type,
      user: activity.from.id,
      text: activity.text,
      channel: activity.conversation.id,
      value: activity.value,
      reference: TurnContext.getConversationReference(activity),
      context: turnContext,
      incoming_message: activity,
    } as BotkitMessage;
    turnContext.turnState.set('botkitMessage', message);
    const dialogContext = await this.dialogSet.createContext(turnContext); // loads the conversation state
    this.lastEvent ??= (this as unknown as { conversationState: BotState }).conversationState.createProperty<string>(LAST_EVENT);
    if (activity.id && (await this.lastEvent.get(turnContext)) === activity.id) return; // already ran to its end
    const bot = await this.spawn(dialogContext);
    const self = this as unknown as BotkitInternals;
    const interrupted = await self.listenForInterrupts(bot, message);
    if (interrupted === false) {
      const result = await dialogContext.continueDialog();
      if ((result.status as string) === 'empty') await this.triggersAndEvents(bot, message);
    }
    if (activity.id) await this.lastEvent.set(turnContext, activity.id);
    await this.saveUnderLease(bot, turnContext);
  }

  /**
   * A run whose lease lapsed after its last reply must not save: the run that took the user over runs this
   * event from the state it started from, and this save would land on top of its (TurnLeaseLost: the runner
   * pops nothing either). The check and the write are one Redis script (TurnLease.save, through the
   * storage's guard): one round trip, and no moment between them for the lease to lapse in.
   */
  private async saveUnderLease(bot: BotWorker, turnContext: TurnContext): Promise<void> {
    const lease = leaseOf(turnContext);
    const storage = this.storage as Partial<TurnStateStorage>;
    if (!lease || !storage.guard || !storage.unguard) {
      await lease?.confirm();
      await super.saveState(bot);
      return;
    }
    const key = (this as unknown as { conversationState: ConversationState }).conversationState.getStorageKey(turnContext);
    if (!key) throw new Error('the conversation state has no storage key');
    storage.guard(key, lease);
    try {
      await super.saveState(bot);
    } finally {
      // no write came (nothing changed): the lease is checked on its own, as before the save
      if (storage.unguard(key)) await lease.confirm();
    }
  }

  /**
   * Botkit also saves in the middle of a turn (`beginDialog`, `replaceDialog`). Not here: the state is
   * saved once, at the turn's end with the turn's event id (handleTurn), so a turn cut short (an outage, a
   * lost lease, a crash) leaves the state it started from and runs again from there.
   */
  override async saveState(bot: BotWorker): Promise<void> {
    const context = bot.getConfig('context') as TurnContext | undefined;
    if (context?.turnState.get('botkitMessage')) return;
    await super.saveState(bot);
  }

  /** `hears` triggers, else `on` handlers for the message type; a handler's error propagates as thrown. */
  private async triggersAndEvents(bot: BotWorker, message: BotkitMessage): Promise<void> {
    const self = this as unknown as BotkitInternals;
    if ((await self.listenForTriggers(bot, message)) !== false) return;
    for (const handler of self._events[message.type] ?? []) {
      if ((await handler.call(bot, bot, message)) === false) break;
    }
  }
}
