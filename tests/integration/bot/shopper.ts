import type { RowDataPacket } from 'mysql2/promise';
import { Chat } from './bot-harness.js';

/** A shopper's common moves, made only by typing and tapping what the bot offered. */
export const ADDRESS = { name: 'Juan Dela Cruz', phone: '09171234567', address: '123 Rizal St, Brgy. Uno', city: 'Manila', postal: '1000' };

/** Type the product's name and tap "Add to cart" on its card, then a quantity 1–5. */
export async function addByName(chat: Chat, productName: string, qty: number): Promise<void> {
  await chat.say(productName);
  await chat.press(/Add to cart/, new RegExp(escape(productName)));
  await chat.tap(new RegExp(`^${qty}$`));
}

/** Answer the checkout questions with a new address; stops at the payment question. */
export async function answerAddress(chat: Chat): Promise<void> {
  await chat.say(ADDRESS.name);
  await chat.say(ADDRESS.phone);
  await chat.say(ADDRESS.address);
  await chat.say(ADDRESS.city);
  await chat.tap(/Metro Manila/);
  await chat.say(ADDRESS.postal);
}

/** From a filled cart: checkout with a new address (or the saved one), a payment method, no promo, place. */
export async function checkoutAndPlace(chat: Chat, payment: RegExp = /Cash on delivery/): Promise<void> {
  await chat.postback('CHECKOUT', 'Checkout');
  if (/saved address/.test(chat.lastText())) await chat.tap(/Yes, ship there/);
  else await answerAddress(chat);
  await chat.tap(payment);
  await chat.tap(/No promo code/);
  await chat.tap(/Place order/);
}

export async function ordersOf(chat: Chat): Promise<RowDataPacket[]> {
  const [rows] = await chat.h.app.db.query<RowDataPacket[]>(
    `SELECT o.* FROM orders o JOIN users u ON u.id = o.user_id WHERE u.psid = ? ORDER BY o.id`,
    [chat.psid],
  );
  return rows;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
