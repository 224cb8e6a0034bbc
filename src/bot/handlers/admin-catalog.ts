import { BotkitConversation, type Botkit, type BotkitDialogWrapper } from 'botkit';
import { adminActor } from '../../admins/admin-service.js';
import type { BotServices, RouteHandler } from '../turn.js';
import { say, turnOf } from '../turn.js';
import { P } from '../payloads.js';
import { catalogMenuReplies, daySummaryText, draftCard, type ProductDraft } from '../messages-admin-catalog.js';
import { adminOnly } from './admin.js';
import { answerValue } from './checkout-dialog.js';

/**
 * ➕ Add product (a dialog: name, price, stock, category, photo, then the card and "Save") and 🧾 Today.
 * Each answer is checked by the engine's own product rules and re-asked with the reason.
 */
export const ADMIN_ADD_PRODUCT_DIALOG = 'admin_add_product';

export function adminCatalogRoutes(s: BotServices): Record<string, RouteHandler> {
  const guard = adminOnly(s);
  return {
    ADMIN_ADD_PRODUCT: guard(async (t) => t.bot.beginDialog(ADMIN_ADD_PRODUCT_DIALOG, {})),
    ADMIN_TODAY: guard(async (t) => say(t.bot, daySummaryText(await s.orders.daySummary(), s.config.CURRENCY))),
  };
}

const draftOf = (vars: Record<string, unknown>): ProductDraft => ({
  name: String(vars.name),
  price: Number(vars.price) / 100,
  stock_quantity: Number(vars.stock_quantity),
  category: (vars.category as string | undefined) ?? null,
  image_url: (vars.image_url as string | undefined) ?? null,
});

export function buildAddProductDialog(controller: Botkit, s: BotServices): BotkitConversation {
  const d = new BotkitConversation(ADMIN_ADD_PRODUCT_DIALOG, controller);
  /** one answer checked by the engine's rule for `field`; re-asked with its reason */
  const field = (name: 'name' | 'price' | 'stock_quantity' | 'category', parse: (v: string) => unknown = (v) => v) =>
    s.guard.convo(async (answer, convo, bot) => {
      const r = s.orders.checkProductField(name, parse(answerValue(answer)));
      if (!r.ok) {
        await say(bot, { text: `${r.message}. Let's try that again.` });
        return convo.repeat();
      }
      convo.setVar(name, r.value);
    });

  d.ask({ text: ['➕ New product. What is it called?'] }, field('name'), null);
  d.ask({ text: ['Price? (e.g. 249.50)'] }, field('price', (v) => v.replace(/[₱,\s]/g, '')), null);
  d.ask({ text: ['How many in stock?'] }, field('stock_quantity', (v) => (/^\d{1,9}$/.test(v) ? Number(v) : v)), null);
  d.ask(
    {
      text: ['Category? Tap one or "New…".'],
      quick_replies: (async () => [
        ...(await s.orders.listCategories()).filter((c) => c.category !== null).slice(0, 12).map((c) => ({ title: c.category!.slice(0, 20), payload: P.answer(c.category!) })),
        { title: 'New…', payload: P.answer('__new__') },
      ]) as never,
    },
    s.guard.convo(async (answer, convo, bot) => {
      if (answer === P.answer('__new__')) return convo.gotoThread('new_category');
      const r = s.orders.checkProductField('category', answerValue(answer));
      if (!r.ok || !answerValue(answer)) {
        await say(bot, { text: `${r.ok ? 'A category needs a name' : r.message}. Let's try that again.` });
        return convo.repeat();
      }
      convo.setVar('category', r.value);
      await convo.gotoThread('photo');
    }),
    null,
  );
  d.addQuestion({ text: ['Name of the new category?'] }, field('category'), null, 'new_category');
  d.addAction('photo', 'new_category');

  d.addQuestion(
    { text: ['Send a photo of the product, or tap "No photo".'], quick_replies: [{ title: 'No photo', payload: P.answer('none') }] },
    s.guard.convo(async (answer, convo, bot, message) => {
      const image = turnOf(bot, message).message.attachments?.find((a) => a.type === 'image' && a.url);
      if (!image) {
        if (answer === P.answer('none') || /^no( photo)?$/i.test(answerValue(answer))) return convo.gotoThread('summary');
        await say(bot, { text: 'Please send a photo (JPEG, PNG, WebP or GIF), or tap "No photo".' });
        return convo.repeat();
      }
      const stored = await s.images.storeImageFrom(image.url!);
      if (!stored.success) {
        await say(bot, { text: `I couldn't use that photo: ${stored.error}. Send another, or tap "No photo".` });
        return convo.repeat();
      }
      convo.setVar('image_url', stored.image_url);
      await convo.gotoThread('summary');
    }),
    null,
    'photo',
  );

  d.before('summary', s.guard.before(async (convo: BotkitDialogWrapper, bot) => say(bot, draftCard(draftOf(convo.vars), s.config.CURRENCY))));
  d.addQuestion(
    {
      text: ['This is how shoppers will see it. Save it?'],
      quick_replies: [
        { title: '✅ Save', payload: P.answer('save') },
        { title: '✏️ Start over', payload: P.answer('restart') },
        { title: 'Cancel', payload: P.answer('cancel') },
      ],
    },
    s.guard.convo(async (answer, convo, bot, message) => {
      const t = turnOf(bot, message);
      if (!t.admin) return;
      const v = answerValue(answer).toLowerCase();
      if (v === 'restart') return convo.gotoThread('default');
      if (v === 'cancel') return say(bot, { text: 'Nothing was saved.', quick_replies: catalogMenuReplies() });
      if (v !== 'save') {
        await say(bot, { text: 'Please tap Save, Start over or Cancel.' });
        return convo.repeat();
      }
      const draft = draftOf(convo.vars);
      const r = await s.orders.createProduct({ ...draft, price: (Number(convo.vars.price) / 100).toFixed(2) });
      if (!r.success) return say(bot, { text: `Not saved: ${r.error}`, quick_replies: catalogMenuReplies() });
      s.logger.info({ product_id: r.product.id, by: adminActor(t.admin) }, 'product added in chat');
      await say(bot, { text: `✅ ${r.product.name} is in the shop now (product #${r.product.id}).`, quick_replies: catalogMenuReplies() });
    }),
    null,
    'summary',
  );
  return d;
}
