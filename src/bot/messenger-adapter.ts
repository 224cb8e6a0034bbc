import { randomUUID } from 'node:crypto';
import { ActivityTypes, BotAdapter, TurnContext } from 'botbuilder';
import type { Activity, ConversationReference, ResourceResponse } from 'botbuilder';
import type { QuickReply, SendRequest } from './send-api.js';
import type { InboundEvent } from './events.js';
import { MessengerBotWorker } from './botkit-fixes.js';
import { runOf, TURN_RUN, type TurnRun } from './turn-lease.js';
import type { TurnSends } from './send-once.js';

/**
 * QuickSell's own Messenger adapter for Botkit core (instead of botbuilder-adapter-facebook: see
 * docs/architecture.md, "Why an own Messenger adapter"). Inbound: an InboundEvent (already verified, de-duplicated and serialized per user)
 * becomes a message activity whose text is the quick-reply / postback payload when there is one.
 * Outbound: activities go through the shared Send API client; a Graph failure is thrown as a
 * GraphError carrying its code and subcode (never swallowed).
 */
export const CHANNEL_ID = 'facebook';

export interface MessengerChannelData {
  kind: InboundEvent['kind'];
  payload: string | null;
  attachments: InboundEvent['attachments'];
  timestamp: number;
  botkitEventType: 'message';
}

export function toActivity(ev: InboundEvent): Partial<Activity> {
  const channelData: MessengerChannelData = {
    kind: ev.kind,
    payload: ev.payload,
    attachments: ev.attachments,
    timestamp: ev.timestamp,
    botkitEventType: 'message',
  };
  return {
    type: ActivityTypes.Message,
    id: ev.dedupeKey,
    channelId: CHANNEL_ID,
    timestamp: new Date(ev.timestamp),
    from: { id: ev.psid, name: ev.psid },
    recipient: { id: ev.pageId || 'page', name: 'page' },
    conversation: { id: ev.psid, isGroup: false, conversationType: 'personal', name: ev.psid },
    serviceUrl: 'messenger',
    text: ev.payload ?? ev.text,
    channelData,
  };
}

// Messenger's limits: longer text or more quick replies are refused by Graph (code 100) and the user gets nothing.
const MAX_TEXT = 2000;
const MAX_QUICK_REPLIES = 13;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A Botkit outgoing activity → a Send API request (text, quick replies, template/attachment). */
export function toSendRequest(activity: Partial<Activity>): SendRequest | null {
  const psid = activity.recipient?.id ?? activity.conversation?.id;
  if (!psid) throw new Error('outgoing activity has no recipient');
  const cd = (activity.channelData ?? {}) as {
    quick_replies?: Array<{ title: string; payload: string }>;
    attachment?: NonNullable<SendRequest['message']>['attachment'];
    messaging_type?: SendRequest['messaging_type'];
  };
  if (activity.type === ActivityTypes.Typing) return { recipient: { id: psid }, sender_action: 'typing_on' };
  if (activity.type !== ActivityTypes.Message) return null;
  const message: NonNullable<SendRequest['message']> = {};
  if (cd.attachment) message.attachment = cd.attachment;
  else if (activity.text) message.text = clip(activity.text, MAX_TEXT);
  if (cd.quick_replies?.length) {
    message.quick_replies = cd.quick_replies.slice(0, MAX_QUICK_REPLIES).map(
      (q): QuickReply => ({ content_type: 'text', title: q.title.slice(0, 20), payload: q.payload }),
    );
  }
  if (!message.text && !message.attachment) return null;
  return { recipient: { id: psid }, messaging_type: cd.messaging_type ?? 'RESPONSE', message };
}

const REPLY_PART = 'quicksell.replyPart';
const REPLY_SAID = 'quicksell.replySaid';

export class MessengerAdapter extends BotAdapter {
  /** Botkit spawns this worker class for turns of this adapter (see botkit-fixes.ts). */
  readonly botkit_worker = MessengerBotWorker;

  constructor(
    /**
     * How replies go out (send-once.ts): once per inbound event through the reply ledger when it has one
     * (a re-run turn skips what went out), and only while the turn's lease holds. The same TurnSends
     * serves the sends a turn makes around Botkit (src/bot/index.ts).
     */
    private readonly sends: TurnSends,
  ) {
    super();
  }

  /**
   * Run one turn for an inbound event through the adapter's middleware and Botkit's handler, as `run`
   * (the turn runner's, under its lease: every reply is sent only while the lease is still this run's);
   * without one, as a run of its own with no lease.
   */
  async processEvent(ev: InboundEvent, facts: object, logic: (context: TurnContext) => Promise<void>, run?: TurnRun): Promise<void> {
    const activity = toActivity(ev);
    activity.channelData = { ...activity.channelData, ...facts };
    const context = new TurnContext(this, activity);
    context.turnState.set(TURN_RUN, run ?? ({ inboundId: activity.id ?? '', owner: randomUUID() } satisfies TurnRun));
    await this.runMiddleware(context, logic);
  }

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        await new Promise((r) => setTimeout(r, Math.min(Number(activity.value) || 0, 2000)));
        responses.push({ id: '' });
        continue;
      }
      const req = toSendRequest(activity);
      if (!req) {
        responses.push({ id: '' });
        continue;
      }
      responses.push({ id: await this.sendOnce(_context, req) });
    }
    return responses;
  }

  /**
   * Send one reply unless a run of this turn sent one at its place or sent the same message (see
   * send-once.ts `reply`), and only while this run holds the user's lease. The lease check and the
   * ledger's claim go out together (one round trip's wait); a claim made by a run that turns out to have
   * lost its lease is given back.
   */
  private async sendOnce(context: TurnContext, req: SendRequest): Promise<string> {
    const part = (context.turnState.get(REPLY_PART) as number | undefined) ?? 0;
    context.turnState.set(REPLY_PART, part + 1);
    let said = context.turnState.get(REPLY_SAID) as Map<string, number> | undefined;
    if (!said) context.turnState.set(REPLY_SAID, (said = new Map()));
    const content = JSON.stringify(req.message ?? null);
    const repeat = said.get(content) ?? 0;
    said.set(content, repeat + 1);
    let run = runOf(context);
    if (!run) context.turnState.set(TURN_RUN, (run = { inboundId: context.activity.id ?? '', owner: randomUUID() } satisfies TurnRun));
    return this.sends.reply(run, part, repeat, req);
  }

  async updateActivity(): Promise<void> {
    throw new Error('Messenger cannot edit a sent message');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('Messenger cannot delete a sent message');
  }

  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
