/** Named SQL for createOrder. Parameters are listed in each header; values are always bound. */

/**
 * The buyer, their fraud facts and the shipping rate in one statement: the buyer's live orders of the
 * last hour (or of the duplicate window, if longer) are joined once and aggregated, which costs less
 * than one subquery per fact (each subquery is planned on its own: measured 110-150 µs against
 * 160-220 µs on a database of 10,000 orders). Without GROUP BY the aggregate always returns one row:
 * id is NULL when there is no such user.
 * ? items signature, ? minutes (age in seconds of the newest live order with the same items),
 * ? province (its own rate; '*' is the fallback), ? minutes (the same duplicate window), ? user id
 */
export const SELECT_BUYER = `SELECT u.id, u.name, u.phone, u.psid, u.is_blocked,
    COUNT(IF(o.created_at >= NOW() - INTERVAL 1 HOUR, 1, NULL)) AS orders_last_hour,
    TIMESTAMPDIFF(SECOND, MAX(IF(o.items_signature = ? AND o.created_at >= NOW() - INTERVAL ? MINUTE, o.created_at, NULL)), NOW())
      AS same_items_age_s,
    own.fee AS own_fee, own.free_shipping_min AS own_free_min, anyr.fee AS any_fee, anyr.free_shipping_min AS any_free_min
  FROM users u
  LEFT JOIN shipping_rates own ON own.province = ?
  LEFT JOIN shipping_rates anyr ON anyr.province = '*'
  LEFT JOIN orders o ON o.user_id = u.id AND o.created_at >= NOW() - INTERVAL GREATEST(60, ?) MINUTE
    AND o.order_status NOT IN ('cancelled', 'expired')
  WHERE u.id = ?`;

/**
 * ? cart id (NULL: none), ? list of product ids. `available` counts the cart's own live-sale holds as
 * available to it: the order's transaction releases them right before it reserves (sp_adopt_cart_holds).
 */
export const SELECT_PRODUCTS = `SELECT id, sku, name, price, status, stock_quantity - reserved_quantity
    + (SELECT COALESCE(SUM(r.quantity), 0) FROM inventory_reservations r
        WHERE r.hold_cart_id = ? AND r.product_id = products.id AND r.status = 'reserved' AND r.order_id IS NULL) AS available
  FROM products WHERE id IN (?)`;

/** ? province — the province's own rate, else the '*' fallback */
export const SELECT_SHIPPING_RATE = `SELECT province, fee, free_shipping_min FROM shipping_rates
  WHERE province IN (?, '*') ORDER BY province = '*' LIMIT 1`;

/** ? code */
export const SELECT_PROMO = 'SELECT * FROM promo_codes WHERE code = ?';

/** ? user id, ? promo code — this user's live orders that used the code */
export const COUNT_PROMO_USES = `SELECT COUNT(*) AS n FROM orders
  WHERE user_id = ? AND promo_code = ? AND order_status NOT IN ('cancelled', 'expired')`;

/** ? user id — serializes one customer's orders that use a per-customer-limited promo */
export const LOCK_USER = 'SELECT id FROM users WHERE id = ? FOR UPDATE';

/** ? user id, ? promo code — COUNT_PROMO_USES as a current (locking) read, inside the transaction */
export const COUNT_PROMO_USES_LOCKED = `${COUNT_PROMO_USES} LOCK IN SHARE MODE`;


/**
 * The order this call would repeat: ? cart id, ? user id, ? idempotency key (NULL matches nothing). The
 * cart's order only if it is this user's (another customer's cart reads as no order at all). Two unique-key
 * lookups (not one OR, which the optimizer may answer with a scan of the primary key); the cart's first.
 */
const REPLAY_COLUMNS = 'id, order_number, order_status, total_amount, fraud_flags';
export const SELECT_ORDER_REPLAY = `SELECT ${REPLAY_COLUMNS}, 1 AS same_cart FROM orders WHERE cart_id = ? AND user_id = ?
  UNION ALL SELECT ${REPLAY_COLUMNS}, 0 FROM orders WHERE idempotency_key = ?`;

/**
 * The statements below run inside createOrder's batch (create-order-batch.ts), where the new order's id
 * is the session variable @qs_order_id, set right after INSERT_ORDER.
 */
export const NEW_ORDER_ID = { toSqlString: () => '@qs_order_id' };
/** …with the server-side clocks for order_metrics: written the order row, and reserved the stock */
export const SET_NEW_ORDER_ID = 'SET @qs_order_id = LAST_INSERT_ID(), @qs_ordered_at = SYSDATE(6), @qs_low_stock_ids = NULL';
export const MARK_RESERVED = 'SET @qs_reserved_at = SYSDATE(6)';

/** 25 values in column order */
export const INSERT_ORDER = `INSERT INTO orders (order_number, user_id, cart_id, order_status, payment_method, subtotal,
    shipping_fee, discount_amount, total_amount, promo_code, recipient_name, phone, shipping_address, city, province,
    postal_code, order_source, ip_address, user_agent, fraud_score, fraud_flags, requires_verification, expires_at,
    items_signature, created_by, idempotency_key)
  VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** rows of (NEW_ORDER_ID, product_id, product_name, sku, unit_price, quantity, line_total) */
export const INSERT_ITEMS = `INSERT INTO order_items (order_id, product_id, product_name, sku, unit_price, quantity, line_total) VALUES ?`;

/**
 * ? product id, ? quantity, ? expires_at — for the new order. Returns nothing (migration 007); the
 * low-stock alerts its update queues are appended to @qs_low_stock_ids, cleared by SET_NEW_ORDER_ID.
 */
export const CALL_RESERVE = 'CALL sp_reserve_inventory(@qs_order_id, ?, ?, ?)';

/**
 * ? promo id — counted only inside the order's transaction, so only a committed order uses it. The
 * limit is the table's chk_promo_usage (migration 006): the use past it fails and stops the batch.
 */
export const USE_PROMO = 'UPDATE promo_codes SET times_used = times_used + 1 WHERE id = ?';

/** ? cart id, ? user id — only the ordering customer's own open cart */
export const CHECK_OUT_CART = `UPDATE carts SET status = 'checked_out' WHERE id = ? AND user_id = ? AND status = 'open'`;

/** ? cart id — the cart's live-sale holds give their units back inside the order's transaction (migration 060) */
export const ADOPT_CART_HOLDS = 'CALL sp_adopt_cart_holds(?)';

/**
 * ? validation ms, ? ms from the checks to sending the batch, ? ms from the start to sending it,
 * ? items count — the server adds the time its writes took since the order row to the last two (the
 * order row itself, a fraction of a millisecond, is not counted: marking it would cost a statement)
 */
const SERVER_MS = 'TIMESTAMPDIFF(MICROSECOND, @qs_ordered_at, SYSDATE(6)) DIV 1000';
export const INSERT_METRICS = `INSERT INTO order_metrics (order_id, validation_duration_ms, inventory_duration_ms,
    db_write_duration_ms, total_processing_duration_ms, items_count)
  VALUES (@qs_order_id, ?, TIMESTAMPDIFF(MICROSECOND, @qs_ordered_at, @qs_reserved_at) DIV 1000,
    ? + ${SERVER_MS}, ? + ${SERVER_MS}, ?)`;
