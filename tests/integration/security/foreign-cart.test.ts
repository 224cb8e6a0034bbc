import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Chat, startHarness, type Harness } from '../bot/bot-harness.js';
import { addByName, checkoutAndPlace, ordersOf } from '../bot/shopper.js';
import { makeProduct, makeUser } from '../../helpers/factories.js';

/**
 * Finding 4 of the security audit: a forged PLACE_ORDER:<cart id> from another customer told them
 * whether the cart existed and, once ordered, its order number. Every cart lookup from the chat is the
 * customer's own: someone else's cart answers exactly like a cart id that does not exist.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function cartIdOf(chat: Chat): Promise<number> {
  const [rows] = await h.app.db.query<RowDataPacket[]>(
    `SELECT c.id FROM carts c JOIN users u ON u.id = c.user_id WHERE u.psid = ? ORDER BY c.id DESC LIMIT 1`,
    [chat.psid],
  );
  return Number(rows[0]!.id);
}

/** What the bot answers to a (forged) PLACE_ORDER postback: every text of the turn. */
async function forge(chat: Chat, cartId: number): Promise<string[]> {
  chat.replies();
  await chat.postback(`PLACE_ORDER:${cartId}`, 'Place order');
  return chat.texts(chat.replies());
}

describe("a customer tapping PLACE_ORDER with someone else's cart id", () => {
  it('gets the same answer as for a cart that does not exist, before and after the owner orders, and nothing changes', async () => {
    const name = `Lamp ${randomUUID().slice(0, 8)}`;
    await makeProduct(h.app.db, { name, stock: 10 });
    const alice = new Chat(h);
    const bob = new Chat(h);
    await addByName(bob, name, 1); // bob is a customer with a cart of his own
    await addByName(alice, name, 2);
    const aliceCart = await cartIdOf(alice);
    const nowhere = await forge(bob, 2_000_000_000);
    expect(nowhere.join('\n')).toMatch(/no longer available/);

    expect(await forge(bob, aliceCart)).toEqual(nowhere); // alice's open cart
    expect(await ordersOf(bob)).toEqual([]);

    await checkoutAndPlace(alice);
    const [aliceOrder] = await ordersOf(alice);
    expect(aliceOrder?.order_number).toBeTruthy();
    const afterOrder = await forge(bob, aliceCart); // alice's ordered cart
    expect(afterOrder).toEqual(nowhere);
    expect(afterOrder.join('\n')).not.toContain(aliceOrder!.order_number);
    expect(await ordersOf(bob)).toEqual([]);
    expect(await ordersOf(alice)).toHaveLength(1);
  });

  it("still answers the owner's own repeated tap with their order number", async () => {
    const name = `Chair ${randomUUID().slice(0, 8)}`;
    await makeProduct(h.app.db, { name, stock: 10 });
    const carol = new Chat(h);
    await addByName(carol, name, 1);
    await checkoutAndPlace(carol);
    const [order] = await ordersOf(carol);
    const again = await forge(carol, await cartIdOf(carol));
    expect(again.join('\n')).toContain(`You already placed this order: ${order!.order_number}`);
  });
});

describe('the engine, given a cart id with another customer', () => {
  it('does not replay the cart owner’s order to someone else', async () => {
    const name = `Desk ${randomUUID().slice(0, 8)}`;
    await makeProduct(h.app.db, { name, stock: 10 });
    const dave = new Chat(h);
    await addByName(dave, name, 1);
    await checkoutAndPlace(dave);
    const [order] = await ordersOf(dave);
    const stranger = await makeUser(h.app.db);
    const r = await h.app.orders.createOrder({ user_id: stranger }, { cart_id: Number(order!.cart_id) });
    expect(JSON.stringify(r)).not.toContain(order!.order_number);
    expect(r.success).toBe(false);
  });
});
