/** Named SQL for reading orders. Parameters are listed in each header; values are always bound. */

const ORDER_COLUMNS = `o.id, o.order_number, o.user_id, o.cart_id, o.order_status, o.payment_method, o.payment_status,
  o.payment_proof_url, o.payment_proof_media_id, o.payment_proof_error, o.subtotal, o.shipping_fee, o.discount_amount, o.total_amount, o.promo_code, o.recipient_name,
  o.phone, o.shipping_address, o.city, o.province, o.postal_code, o.order_source, o.fraud_score, o.fraud_flags,
  o.requires_verification, o.tracking_number, o.admin_notes, o.cancel_reason, o.error_count, o.confirmed_by,
  o.confirmed_at, o.cancelled_at, o.shipped_at, o.delivered_at, o.expires_at, o.created_at, o.updated_at,
  u.name AS customer_name, u.phone AS customer_phone, u.psid AS customer_psid`;

/** ? order id */
export const SELECT_ORDER = `SELECT ${ORDER_COLUMNS} FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = ?`;
/** ? order number */
export const SELECT_ORDER_BY_NUMBER = `SELECT ${ORDER_COLUMNS} FROM orders o JOIN users u ON u.id = o.user_id WHERE o.order_number = ?`;

/** ? status or NULL ×2, ? user id or NULL ×2, ? cursor id or NULL ×2, ? limit — newest first */
export const LIST_ORDERS = `SELECT ${ORDER_COLUMNS} FROM orders o JOIN users u ON u.id = o.user_id
  WHERE (? IS NULL OR o.order_status = ?) AND (? IS NULL OR o.user_id = ?) AND (? IS NULL OR o.id < ?)
  ORDER BY o.id DESC LIMIT ?`;

/** ? order id */
export const SELECT_ITEMS = `SELECT id, product_id, product_name, sku, unit_price, quantity, line_total
  FROM order_items WHERE order_id = ? ORDER BY id`;
/** ? order id */
export const SELECT_RESERVATIONS = `SELECT id, product_id, quantity, status, expires_at, release_reason
  FROM inventory_reservations WHERE order_id = ? ORDER BY id`;
/** ? order id */
export const SELECT_HISTORY = `SELECT id, from_status, to_status, changed_by, reason, created_at
  FROM order_state_history WHERE order_id = ? ORDER BY id`;
