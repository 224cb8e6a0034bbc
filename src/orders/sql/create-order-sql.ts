/** Named SQL for createOrder. Parameters are listed in each header; values are always bound. */

/** ? user id */
export const SELECT_USER = 'SELECT id, name, phone, psid, is_blocked FROM users WHERE id = ?';

/** ? list of product ids */
export const SELECT_PRODUCTS = `SELECT id, sku, name, price, status, stock_quantity - reserved_quantity AS available
  FROM products WHERE id IN (?)`;

/** ? province — the province's own rate, else the '*' fallback */
export const SELECT_SHIPPING_RATE = `SELECT province, fee, free_shipping_min FROM shipping_rates
  WHERE province IN (?, '*') ORDER BY province = '*' LIMIT 1`;

/** ? code */
export const SELECT_PROMO = 'SELECT * FROM promo_codes WHERE code = ?';

/** ? user id, ? promo code — this user's live orders that used the code */
export const COUNT_PROMO_USES = `SELECT COUNT(*) AS n FROM orders
  WHERE user_id = ? AND promo_code = ? AND order_status NOT IN ('cancelled', 'expired')`;

/** ? user id, ? minutes — the user's recent live orders with their items signature ('12x2,15x1') */
export const SELECT_RECENT_ORDERS = `SELECT o.id, TIMESTAMPDIFF(SECOND, o.created_at, NOW()) AS age_s,
    (SELECT GROUP_CONCAT(CONCAT(oi.product_id, 'x', oi.quantity) ORDER BY oi.product_id SEPARATOR ',')
       FROM order_items oi WHERE oi.order_id = o.id) AS sig
  FROM orders o
  WHERE o.user_id = ? AND o.created_at >= NOW() - INTERVAL ? MINUTE AND o.order_status NOT IN ('cancelled', 'expired')`;

/** ? cart id */
export const SELECT_ORDER_BY_CART = `SELECT id, order_number, order_status, total_amount, fraud_flags FROM orders WHERE cart_id = ?`;

/** 24 values in column order */
export const INSERT_ORDER = `INSERT INTO orders (order_number, user_id, cart_id, order_status, payment_method, subtotal,
    shipping_fee, discount_amount, total_amount, promo_code, recipient_name, phone, shipping_address, city, province,
    postal_code, order_source, ip_address, user_agent, fraud_score, fraud_flags, requires_verification, expires_at)
  VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** rows of (order_id, product_id, product_name, sku, unit_price, quantity, line_total) */
export const INSERT_ITEMS = `INSERT INTO order_items (order_id, product_id, product_name, sku, unit_price, quantity, line_total) VALUES ?`;

/** ? order id, ? product id, ? quantity, ? expires_at */
export const CALL_RESERVE = 'CALL sp_reserve_inventory(?, ?, ?, ?)';

/** ? promo id — counted only inside the order's transaction, so only a committed order uses it */
export const USE_PROMO = `UPDATE promo_codes SET times_used = times_used + 1
  WHERE id = ? AND (usage_limit IS NULL OR times_used < usage_limit)`;

/** ? cart id */
export const CHECK_OUT_CART = `UPDATE carts SET status = 'checked_out' WHERE id = ? AND status = 'open'`;

/** ? order id, 4 durations, ? items count */
export const INSERT_METRICS = `INSERT INTO order_metrics (order_id, validation_duration_ms, inventory_duration_ms,
    db_write_duration_ms, total_processing_duration_ms, items_count) VALUES (?, ?, ?, ?, ?, ?)`;
