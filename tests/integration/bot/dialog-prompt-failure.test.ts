import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chat, startHarness, type Harness } from './bot-harness.js';
import { addByName } from './shopper.js';
import { makeProduct } from '../../helpers/factories.js';

/**
 * Found by `npm run chaos`: when Graph failed (or timed out) on a checkout question, Botkit's conversation
 * caught the error, told the customer "Failed to start prompt checkout_default_prompt" and moved the dialog
 * on as if the question had been answered, so the customer got a validation complaint and the question
 * again. The failed send must reach the turn runner like any other Graph failure.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('when Graph fails while the bot asks a checkout question', () => {
  it('never shows Botkit\'s "Failed to start prompt" and asks the question once', async () => {
    const name = `Prompt lamp ${randomUUID().slice(0, 6)}`;
    await makeProduct(h.app.db, { name, price: '300.00', stock: 5 });
    const chat = new Chat(h);
    await addByName(chat, name, 1);
    h.graph.failNext({ status: 500, error: { message: 'An unexpected error has occurred.', code: 2 } });
    await chat.postback('CHECKOUT', 'Checkout');
    // the failed turn is retried by the turn runner (a Graph 500 is an outage); the question then arrives
    await h.graph.waitFor(() => chat.texts().some((t) => /Who should we deliver to/.test(t)), 45_000);
    expect(chat.texts().filter((t) => /Failed to start prompt/.test(t))).toEqual([]);
    expect(chat.texts().filter((t) => /full name \(2 to 100 characters\)/.test(t))).toEqual([]);
    expect(chat.texts().filter((t) => /Who should we deliver to/.test(t))).toHaveLength(1);
  }, 60_000);
});
