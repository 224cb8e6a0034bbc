import { Botkit, BotWorker, type BotkitMessage } from 'botkit';
import { TurnContext } from 'botbuilder';

/**
 * Two Botkit 4.15 traps fixed by subclassing (Botkit is dormant upstream, so no patch will come):
 * `BotWorker.say` and `Botkit.handleTurn` run their work inside middleware callbacks whose promise
 * nobody awaits, so a failed Send API call or a throwing dialog step becomes an unhandled rejection
 * (which ends a Node process) and the turn never finishes. Here both await properly: errors reach
 * the caller, the handler guard or the turn runner.
 */
export class MessengerBotWorker extends BotWorker {
  override async say(message: Partial<BotkitMessage> | string): Promise<unknown> {
    const context = this.getConfig('context') as TurnContext;
    return context.sendActivity(this.ensureMessageFormat(message));
  }
}

interface BotkitInternals {
  listenForInterrupts(bot: BotWorker, message: BotkitMessage): Promise<unknown>;
  processTriggersAndEvents(bot: BotWorker, message: BotkitMessage): Promise<unknown>;
}

export class QuickSellBotkit extends Botkit {
  override async handleTurn(turnContext: TurnContext): Promise<void> {
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
    const dialogContext = await this.dialogSet.createContext(turnContext);
    const bot = await this.spawn(dialogContext);
    const self = this as unknown as BotkitInternals;
    const interrupted = await self.listenForInterrupts(bot, message);
    if (interrupted === false) {
      const result = await dialogContext.continueDialog();
      if ((result.status as string) === 'empty') await self.processTriggersAndEvents(bot, message);
    }
    await this.saveState(bot);
  }
}
