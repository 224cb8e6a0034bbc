import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../helpers/factories.js';
import { Chat, newPsid, postWebhook, startHarness, type Harness } from './bot-harness.js';

const ADMIN = newPsid();
const APP_ID = '1234567890';
let h: Harness;
beforeAll(async () => {
  // a handed-over thread comes back by itself after 1.8 s here
  h = await startHarness({ adminPsids: [ADMIN], overrides: { FB_APP_ID: APP_ID, HANDOVER_TIMEOUT_HOURS: '0.0005' } });
});
afterAll(() => h.close());

const handovers = (psid: string) => h.graph.handovers.filter((x) => x.body.recipient?.id === psid);
const standby = (psid: string, text: string) => ({
  object: 'page',
  entry: [{ id: 'PAGE', time: Date.now(), standby: [{ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: Date.now(), message: { mid: `sb.${psid}.${Math.random()}`, text } }] }],
});

describe('when a customer asks for a person', () => {
  it('passes the thread to the Page Inbox with why and the cart, stays silent, and resumes when an admin taps Resume bot', async () => {
    const p = await makeProduct(h.app.db, { stock: 5, name: 'Handover lamp', price: '250.00' });
    const customer = new Chat(h);
    const admin = new Chat(h, ADMIN);
    await customer.postback(`ADD:${p}`);
    await customer.postback(`QTY:${p}:2`);
    await customer.postback('TALK_TO_PERSON', '💬 Talk to a person');
    expect(customer.lastText()).toMatch(/A person from .* will answer you here soon/);
    const [pass] = handovers(customer.psid);
    expect(pass).toMatchObject({ action: 'pass_thread_control', body: { target_app_id: '263902037430900' } });
    expect(JSON.parse(pass!.body.metadata!)).toMatchObject({ reason: 'asked for a person', cart: '2× Handover lamp (₱500.00)' });
    expect(admin.texts().some((t) => /wants a person \(asked for a person\)\. Cart: 2× Handover lamp/.test(t))).toBe(true);

    const before = customer.all().length;
    await customer.say('hello? anyone?'); // still delivered to the bot (no real Inbox here): not answered
    await postWebhook(h.app, standby(customer.psid, 'are you there'));
    await h.app.bot!.idle();
    expect(customer.all().length).toBe(before);

    await admin.tapIn(/wants a person/, /Resume bot/);
    expect(handovers(customer.psid).at(-1)).toMatchObject({ action: 'take_thread_control' });
    expect(customer.lastText()).toMatch(/The shop assistant is back/);
    expect(admin.lastText()).toMatch(/answering that customer again/);
    await customer.say('cart');
    expect(customer.all().length).toBeGreaterThan(before + 1);
  });

  it('hands over after two answers in a row that found nothing, and comes back when the Inbox passes the thread back', async () => {
    const customer = new Chat(h);
    await customer.say('zzqx nothing like this');
    expect(handovers(customer.psid)).toHaveLength(0);
    await customer.say('qqzx still nothing');
    expect(handovers(customer.psid)).toMatchObject([{ action: 'pass_thread_control' }]);
    expect(JSON.parse(handovers(customer.psid)[0]!.body.metadata!)).toMatchObject({ reason: 'the bot did not understand twice', cart: 'empty' });
    const back = { sender: { id: customer.psid }, recipient: { id: 'PAGE' }, timestamp: Date.now(), pass_thread_control: { new_owner_app_id: APP_ID, metadata: 'done' } };
    await customer.send(back);
    expect(customer.lastText()).toMatch(/The shop assistant is back/);
    expect(handovers(customer.psid)).toHaveLength(1); // passed back by the Inbox: nothing to take
  });

  it('starts the not-understood count over after an answer the bot understood', async () => {
    const customer = new Chat(h);
    await customer.say('zzqx nothing like this');
    await customer.postback('SHOP'); // understood: the streak the turn's gate saw is cleared
    await customer.say('qqzx still nothing');
    expect(handovers(customer.psid)).toHaveLength(0);
    await customer.say('xqzz nothing again');
    expect(handovers(customer.psid)).toMatchObject([{ action: 'pass_thread_control' }]);
  });

  it('takes the thread back by itself after HANDOVER_TIMEOUT_HOURS and answers', async () => {
    const customer = new Chat(h);
    await customer.postback('TALK_TO_PERSON');
    await postWebhook(h.app, standby(customer.psid, 'hello?'));
    await h.app.bot!.idle();
    expect(handovers(customer.psid)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 2000));
    await postWebhook(h.app, standby(customer.psid, 'cart'));
    await h.app.bot!.idle();
    expect(handovers(customer.psid).map((x) => x.action)).toEqual(['pass_thread_control', 'take_thread_control']);
    expect(customer.texts().some((t) => /The shop assistant is back/.test(t))).toBe(true);
  });

  it('refuses Resume bot from a customer', async () => {
    const customer = new Chat(h);
    await customer.postback(`RESUME_BOT:${newPsid()}`);
    expect(customer.lastText()).toMatch(/only for the shop’s admins/);
  });
});


