import { P } from './payloads.js';

/**
 * The admins' own persistent menu (Custom User Settings API, per PSID): customers keep the Page menu.
 * Set by `npm run messenger:setup` for every admin and by `npm run admin -- add --psid …`.
 */
export function adminPersistentMenu(psid: string): Record<string, unknown> {
  return {
    psid,
    persistent_menu: [
      {
        locale: 'default',
        composer_input_disabled: false,
        call_to_actions: [
          { type: 'postback', title: '📋 Pending orders', payload: P.ADMIN_PENDING },
          { type: 'postback', title: '➕ Add product', payload: P.ADMIN_ADD_PRODUCT },
          { type: 'postback', title: '📦 Stock', payload: P.ADMIN_STOCK },
          { type: 'postback', title: '🧾 Today', payload: P.ADMIN_TODAY },
        ],
      },
    ],
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
    persistent_menu: [
      {
        locale: 'default',
        composer_input_disabled: false,
        call_to_actions: [
          { type: 'postback', title: '🛍️ Shop', payload: P.SHOP },
          { type: 'postback', title: '🛒 Cart', payload: P.CART },
          { type: 'postback', title: '📦 My orders', payload: P.ORDERS },
          { type: 'postback', title: '❓ Help', payload: P.HELP },
          { type: 'postback', title: '💬 Talk to a person', payload: P.TALK_TO_PERSON },
        ],
      },
    ],
  };
}
