import { P } from './payloads.js';

/** A persistent menu of postback buttons, one locale, the composer left on. */
function postbackMenu(items: [title: string, payload: string][]): Record<string, unknown>[] {
  return [
    {
      locale: 'default',
      composer_input_disabled: false,
      call_to_actions: items.map(([title, payload]) => ({ type: 'postback', title, payload })),
    },
  ];
}

/**
 * The admins' own persistent menu (Custom User Settings API, per PSID): customers keep the Page menu.
 * Set by `npm run messenger:setup` for every admin and by `npm run admin -- add --psid …`.
 */
export function adminPersistentMenu(psid: string): Record<string, unknown> {
  return {
    psid,
    persistent_menu: postbackMenu([
      ['📋 Pending orders', P.ADMIN_PENDING],
      ['➕ Add product', P.ADMIN_ADD_PRODUCT],
      ['📦 Stock', P.ADMIN_STOCK],
      ['🧾 Today', P.ADMIN_TODAY],
    ]),
  };
}

/**
 * The Page's Messenger Profile: Get Started button, greeting and the persistent menu
 * (Shop / Cart / My orders / Help / Talk to a person). Pure: `npm run messenger:setup` posts it.
 */
export function messengerProfile(shopName: string): Record<string, unknown> {
  return {
    get_started: { payload: P.GET_STARTED },
    greeting: [
      {
        locale: 'default',
        text: `Hi {{user_first_name}}! Shop ${shopName} right here in Messenger: browse, add to cart and check out in a few taps.`.slice(0, 160),
      },
    ],
    persistent_menu: postbackMenu([
      ['🛍️ Shop', P.SHOP],
      ['🛒 Cart', P.CART],
      ['📦 My orders', P.ORDERS],
      ['❓ Help', P.HELP],
      ['💬 Talk to a person', P.TALK_TO_PERSON],
    ]),
  };
}
