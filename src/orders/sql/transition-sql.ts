/** Named SQL for order transitions. Parameters are listed in each header; values are always bound. */

/** ? order id — locks the order row: concurrent transitions of one order run one after the other */
export const LOCK_ORDER = `SELECT id, user_id, order_number, order_status, payment_method, payment_status, total_amount,
    promo_code, tracking_number FROM orders WHERE id = ? FOR UPDATE`;

/** ? user id — read without a lock (a locking read would hold the customer's row) */
export const SELECT_RECIPIENT = 'SELECT psid, name FROM users WHERE id = ?';

/** ? order id — the latest history row: who moved the order to where it is, and when */
export const LAST_CHANGE = `SELECT changed_by, created_at FROM order_state_history WHERE order_id = ? ORDER BY id DESC LIMIT 1`;

/** ? order id ×2 — lines vs reservations still held */
export const HELD_RESERVATIONS = `SELECT (SELECT COUNT(*) FROM order_items WHERE order_id = ?) AS line_count,
    (SELECT COUNT(*) FROM inventory_reservations WHERE order_id = ? AND status = 'reserved') AS held`;

/** Per target status: the columns written with the status. Each takes ? status, its own params, ? order id. */
export const SET_STATUS = {
  /** ? actor, ? notes */
  confirmed: `UPDATE orders SET order_status = ?, confirmed_at = NOW(), confirmed_by = ?,
      admin_notes = COALESCE(?, admin_notes),
      payment_status = IF(payment_status = 'proof_submitted', 'paid', payment_status) WHERE id = ?`,
  processing: `UPDATE orders SET order_status = ? WHERE id = ?`,
  /** ? tracking number */
  shipped: `UPDATE orders SET order_status = ?, shipped_at = NOW(), tracking_number = COALESCE(?, tracking_number) WHERE id = ?`,
  delivered: `UPDATE orders SET order_status = ?, delivered_at = NOW(),
      payment_status = IF(payment_method = 'cod', 'paid', payment_status) WHERE id = ?`,
  /** ? reason */
  cancelled: `UPDATE orders SET order_status = ?, cancelled_at = NOW(), cancel_reason = ? WHERE id = ?`,
  /** ? reason */
  expired: `UPDATE orders SET order_status = ?, cancel_reason = ? WHERE id = ?`,
} as const;

/** ? order id */
export const CALL_COMMIT = 'CALL sp_commit_order_inventory(?)';
/** ? order id, ? reason */
export const CALL_RELEASE = 'CALL sp_release_order_inventory(?, ?)';
/** ? order id, ? reason */
export const CALL_EXPIRE = 'CALL sp_expire_order_inventory(?, ?)';

/** ? promo code — a cancelled or expired order gives its use back */
export const RETURN_PROMO = `UPDATE promo_codes SET times_used = times_used - 1 WHERE code = ? AND times_used > 0`;

/** ? attachment url, ? order id — noted while the worker downloads it; the stored proof is set below */
export const NOTE_PAYMENT_PROOF_URL = `UPDATE orders SET payment_proof_url = ?, payment_proof_error = NULL WHERE id = ?`;
/** ? media id, ? order id */
export const SET_PAYMENT_PROOF = `UPDATE orders SET payment_status = 'proof_submitted', payment_proof_media_id = ?, payment_proof_error = NULL
  WHERE id = ?`;
/** ? reason, ? order id — refused or failed: the order keeps no proof from this attempt and says why */
export const FAIL_PAYMENT_PROOF = `UPDATE orders SET payment_proof_error = ?, payment_proof_url = NULL WHERE id = ?`;
