import { BotkitConversation, type Botkit } from 'botkit';
import { adminActor } from '../../admins/admin-service.js';
import type { BotServices } from '../turn.js';
import { say, turnOf } from '../turn.js';
import { answerValue } from './checkout-dialog.js';
import { P } from '../payloads.js';
import { parseLiveCommand, startedText } from './live.js';
import { LATEST_LIVE } from '../../orders/live/live-types.js';

/**
 * 🎥 Live sale set-up in two questions (admins only: begun from the LIVE_SALE route): which post or
 * live video, then the codes. The same service call as `POST /api/live-sales` and the typed command.
 */
export const LIVE_SALE_DIALOG = 'live_sale_setup';

/** '1234_5678', a link to a post / video (the id Facebook puts in the feed webhook's post_id), or "latest" */
export function postIdFrom(text: string): string | null {
  const t = text.trim();
  if (/^(latest|latest_live|latest live( video)?)$/i.test(t)) return LATEST_LIVE;
  if (/^[A-Za-z0-9_.:-]{1,100}$/.test(t) && /\d/.test(t)) return t;
  const m = /(?:videos|posts|permalink|story_fbid=|v=)\/?(\d{5,30})/.exec(t);
  return m ? m[1]! : null;
}

export function buildLiveSaleDialog(controller: Botkit, s: BotServices): BotkitConversation {
  const d = new BotkitConversation(LIVE_SALE_DIALOG, controller);
  d.ask(
    {
      text: ['🎥 Live sale set-up. Which post or live video? Paste its id (e.g. 1234567890_987654321) or its link, or tap "Latest live video" when the Page is live now.'],
      quick_replies: [{ title: '🔴 Latest live video', payload: P.answer(LATEST_LIVE) }],
    },
    s.guard.convo(async (answer, convo, bot) => {
      const postId = postIdFrom(answerValue(answer));
      if (!postId) {
        await say(bot, { text: 'That does not look like a post id or a link to a post or video. Please paste it again.' });
        return convo.repeat();
      }
      convo.setVar('post_id', postId);
    }),
    'post_id',
  );
  d.ask(
    { text: () => 'Item codes: type CODE=product id for each, e.g. M1=12 M2=15/2 (/2: at most 2 per buyer).' },
    s.guard.convo(async (answer, convo, bot, message) => {
      const t = turnOf(bot, message);
      if (!t.admin) return;
      const cmd = parseLiveCommand(`live ${String(convo.vars.post_id)} ${answerValue(answer)}`);
      if (cmd.action !== 'start') {
        await say(bot, { text: 'Please type the codes as CODE=product id, e.g. M1=12 M2=15.' });
        return convo.repeat();
      }
      const r = await s.live.createSale({ post_id: cmd.post_id, items: cmd.items }, adminActor(t.admin));
      if (!r.success) {
        await say(bot, { text: `Could not start the live sale: ${r.error}. Type the codes again.` });
        return convo.repeat();
      }
      await say(bot, { text: startedText(cmd.items[0]!.code, (await s.live.getSale(r.id))!) });
    }),
    'codes',
  );
  return d;
}
