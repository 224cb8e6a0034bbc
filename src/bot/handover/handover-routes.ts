import { adminActor } from '../../admins/admin-service.js';
import type { BotServices, RouteHandler } from '../turn.js';
import { say } from '../turn.js';
import { P } from '../payloads.js';

/** 💬 Talk to a person (anyone) and ▶️ Resume bot (admins, from the handover alert). */
export function handoverRoutes(s: BotServices): Record<string, RouteHandler> {
  return {
    TALK_TO_PERSON: async (t) => s.handover.talkToPerson(t.run, t.psid, t.customer, 'asked for a person'),
    RESUME_BOT: async (t) => {
      if (!t.admin) return say(t.bot, { text: 'Sorry, that action is only for the shop’s admins.', quick_replies: [{ title: '🛍️ Shop', payload: P.SHOP }] });
      const psid = t.args[0] ?? '';
      const resumed = /^[\w-]{1,64}$/.test(psid) && (await s.handover.resume(t.run, psid, adminActor(t.admin)));
      await say(t.bot, { text: resumed ? '▶️ The bot is answering that customer again.' : 'That chat is not with a person any more.' });
    },
  };
}
