/**
 * Named SQL for the bot's cart (carts / cart_items) and the Messenger customer row. Values are always
 * bound; the `?` parameters are listed above each statement.
 */

/** ? psid, ? placeholder name — first contact: the customer row by PSID (a racing twin is ignored). */
export const INSERT_CUSTOMER = `INSERT IGNORE INTO users (psid, name, last_message_at) VALUES (?, ?, CURRENT_TIMESTAMP)`;

/** ? psid — `stale` when last_message_at is more than a minute old (then it is stamped again). */
export const SELECT_CUSTOMER = `
  SELECT id, name, phone, is_blocked, saved_address,
         (last_message_at IS NULL OR last_message_at < CURRENT_TIMESTAMP - INTERVAL 60 SECOND) AS stale
    FROM users WHERE psid = ?`;

/** ? user_id */
export const TOUCH_CUSTOMER = `UPDATE users SET last_message_at = CURRENT_TIMESTAMP WHERE id = ?`;

/** ? user_id — the user's one open cart (unique on open_user_id) */
export const SELECT_OPEN_CART = `SELECT id, checkout FROM carts WHERE user_id = ? AND status = 'open'`;

/** ? user_id — INSERT IGNORE: two racing creators end with the same single open cart */
export const INSERT_OPEN_CART = `INSERT IGNORE INTO carts (user_id, status) VALUES (?, 'open')`;

/** ? cart_id, ? user_id */
export const SELECT_CART_BY_ID = `SELECT id, status, checkout FROM carts WHERE id = ? AND user_id = ?`;

/** ? cart_id — lines priced from products, in the order they were added */
export const SELECT_CART_LINES = `
  SELECT ci.product_id, ci.quantity, p.name, p.price, p.status, p.image_url,
         (p.stock_quantity - p.reserved_quantity) AS available
    FROM cart_items ci JOIN products p ON p.id = ci.product_id
   WHERE ci.cart_id = ? ORDER BY ci.id`;

/** ? product_id */
export const SELECT_PRODUCT_FOR_CART = `
  SELECT id, name, price, status, (stock_quantity - reserved_quantity) AS available FROM products WHERE id = ?`;

/** ? cart_id, ? product_id — the current quantity of one line (locked) */
/** ? cart id — serializes changes to one cart (a record lock: the cart row exists) */
export const LOCK_CART = `SELECT id FROM carts WHERE id = ? FOR UPDATE`;

export const SELECT_LINE_FOR_UPDATE = `SELECT quantity FROM cart_items WHERE cart_id = ? AND product_id = ? FOR UPDATE`;

/** ? cart_id, ? product_id, ? quantity */
export const UPSERT_LINE = `
  INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (?, ?, ?)
  ON DUPLICATE KEY UPDATE quantity = VALUES(quantity)`;

/** ? cart_id, ? product_id */
export const DELETE_LINE = `DELETE FROM cart_items WHERE cart_id = ? AND product_id = ?`;

/** ? cart_id */
export const DELETE_ALL_LINES = `DELETE FROM cart_items WHERE cart_id = ?`;

/**
 * ? path, ? value for each of `fields` answers ('$."name"', 'Juan'), then ? user_id — the answers merged into
 * the user's open cart's checkout JSON in one statement (no transaction of its own: the row's change is atomic).
 */
export const MERGE_CHECKOUT = (fields: number) =>
  `UPDATE carts SET checkout = JSON_SET(COALESCE(checkout, '{}')${', ?, ?'.repeat(fields)}) WHERE user_id = ? AND status = 'open'`;

/** ? saved_address JSON, ? name, ? phone, ? user_id */
export const SAVE_ADDRESS = `UPDATE users SET saved_address = ?, name = ?, phone = ? WHERE id = ?`;
