/** Named SQL for live sales (migration 060). `?` parameters are listed above each statement. */

/** ? post id, ? actor */
export const INSERT_SALE = `INSERT INTO live_sales (post_id, created_by) VALUES (?, ?)`;

/** ? rows of (sale id, code, product id, limit per buyer) */
export const INSERT_CODES = `INSERT INTO live_sale_codes (sale_id, code, product_id, limit_per_buyer) VALUES ?`;

/** ? list of product ids */
export const SELECT_PRODUCT_IDS = `SELECT id FROM products WHERE id IN (?)`;

/** ? sale id */
export const SELECT_SALE = `SELECT id, post_id, status, created_by, created_at, stopped_at FROM live_sales WHERE id = ?`;

/** ? post id — the id of the post's live sale (none when no sale is live on it) */
export const SELECT_LIVE_SALE_ID = `SELECT id FROM live_sales WHERE live_post_id = ?`;

/** ? post id — the live sale of a post with its codes (one row per code; none when no sale is live) */
export const SELECT_LIVE_SALE_CODES = `
  SELECT s.id AS sale_id, s.post_id, c.id AS code_id, c.code, c.product_id, c.limit_per_buyer, p.name, p.price,
         p.stock_quantity - p.reserved_quantity AS available
    FROM live_sales s JOIN live_sale_codes c ON c.sale_id = s.id JOIN products p ON p.id = c.product_id
   WHERE s.live_post_id = ? ORDER BY c.id`;

/** ? sale id */
export const STOP_SALE = `UPDATE live_sales SET status = 'stopped', stopped_at = NOW() WHERE id = ? AND status = 'live'`;

/**
 * ? sale id — every code with its product and the counts in units: claimed (held or checked out through
 * this sale) and waitlisted.
 */
export const SELECT_TALLY = `
  SELECT c.id AS code_id, c.code, c.product_id, c.limit_per_buyer, p.name, p.price, p.stock_quantity,
         p.stock_quantity - p.reserved_quantity AS available,
         COALESCE(SUM(IF(l.status IN ('held', 'checked_out'), l.quantity, 0)), 0) AS claimed,
         COALESCE(SUM(IF(l.status = 'waitlisted', l.quantity, 0)), 0) AS waitlist,
         COALESCE(SUM(IF(l.status = 'checked_out', l.quantity, 0)), 0) AS checked_out,
         COALESCE(SUM(IF(l.status = 'expired', l.quantity, 0)), 0) AS expired
    FROM live_sale_codes c JOIN products p ON p.id = c.product_id
    LEFT JOIN live_claims l ON l.code_id = c.id
   WHERE c.sale_id = ? GROUP BY c.id ORDER BY c.id`;

/** ? comment id, ? sale id, ? commenter id, ? name, ? message, ? outcome — IGNORE: a repeat adds nothing */
export const INSERT_COMMENT = `
  INSERT IGNORE INTO live_comments (comment_id, sale_id, commenter_id, commenter_name, message, outcome)
  VALUES (?, ?, ?, ?, ?, ?)`;

/** ? comment id — its reply is the notification row just inserted (@qs_reply_id) */
export const SET_COMMENT_REPLY_LAST = `UPDATE live_comments SET reply_notification_id = @qs_reply_id WHERE comment_id = ?`;


/** ? commenter id, ? code id — units this buyer already has or waits for */
export const SELECT_BUYER_UNITS = `
  SELECT COALESCE(SUM(quantity), 0) AS n FROM live_claims
   WHERE commenter_id = ? AND code_id = ? AND status IN ('waitlisted', 'held', 'checked_out')`;

/** ? code id — anyone already waiting (a newcomer queues behind them) */
export const SELECT_WAITING = `SELECT COUNT(*) AS n, COALESCE(SUM(quantity), 0) AS units FROM live_claims WHERE code_id = ? AND status = 'waitlisted'`;

/** ? sale, ? code id, ? product, ? comment id, ? commenter id, ? quantity, ? psid (NULL) */
export const INSERT_CLAIM = `
  INSERT INTO live_claims (sale_id, code_id, product_id, comment_id, commenter_id, quantity, psid)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;

/** ? claim id, ? product id, ? quantity, ? hold expires at — SIGNALs 'INSUFFICIENT_STOCK:<id>' */
export const CALL_HOLD = `CALL sp_hold_inventory(?, ?, ?, ?)`;

/** ? reservation id, ? status ('expired' | 'released'), ? reason */
export const CALL_RELEASE_HOLD = `CALL sp_release_hold(?, ?, ?)`;

/** ? claim id */
export const SELECT_CLAIM_FOR_UPDATE = `
  SELECT l.id, l.sale_id, l.code_id, l.product_id, l.quantity, l.status, l.reservation_id, l.psid, l.comment_id,
         l.hold_expires_at <= NOW(3) AS due
    FROM live_claims l WHERE l.id = ? FOR UPDATE`;

/** ? order id — the claims checked out into this order (through its cart), locked, with their sale's status */
export const SELECT_ORDER_CLAIMS = `
  SELECT l.id, l.code_id, s.status AS sale_status
    FROM orders o JOIN live_claims l ON l.cart_id = o.cart_id JOIN live_sales s ON s.id = l.sale_id
   WHERE o.id = ? AND l.status = 'checked_out' ORDER BY l.id FOR UPDATE`;

/** ? new status, ? list of claim ids */
export const SET_CLAIMS_STATUS = `UPDATE live_claims SET status = ? WHERE id IN (?)`;

/** ? new status, ? claim id */
export const SET_CLAIM_STATUS = `UPDATE live_claims SET status = ? WHERE id = ?`;

/** ? code id, ? how many — the head of a code's waitlist, oldest first, locked */
export const SELECT_WAITLIST_HEAD = `
  SELECT l.id, l.product_id, l.quantity, l.psid, l.commenter_id FROM live_claims l
   WHERE l.code_id = ? AND l.status = 'waitlisted' ORDER BY l.id LIMIT ? FOR UPDATE`;

/** ? claim id — what was claimed, for the promoted buyer's message */
export const SELECT_CLAIM_ITEM = `
  SELECT c.code, p.name, p.price FROM live_claims l
    JOIN live_sale_codes c ON c.id = l.code_id JOIN products p ON p.id = l.product_id WHERE l.id = ?`;

/** ? how many — holds past their time (the sweeper's safety net for lost delayed jobs) */
export const SELECT_DUE_HOLDS = `
  SELECT id FROM live_claims WHERE status = 'held' AND hold_expires_at <= NOW(3) ORDER BY hold_expires_at LIMIT ?`;

/**
 * ? psid, ? inbound event, ? psid — what attachHolds would do anything about, read without locks before
 * every chat turn: a held claim of this PSID not in a cart yet or carted by this event's turn
 * (SELECT_HELD_TO_CART), or a claim whose private reply reached this PSID but is not tied to it yet
 * (LINK_CLAIMS_TO_PSID). Keep the three in step.
 */
export const HAS_CLAIMS_TO_ATTACH = `
  SELECT EXISTS (SELECT 1 FROM live_claims WHERE psid = ? AND status = 'held' AND (cart_id IS NULL OR carted_event = ?))
      OR EXISTS (SELECT 1 FROM live_claims l
                   JOIN live_comments c ON c.comment_id = l.comment_id
                   JOIN notification_queue n ON n.id = c.reply_notification_id
                  WHERE n.recipient_psid = ? AND l.psid IS NULL) AS pending`;

/**
 * ? psid — the buyer's claims not yet tied to them in Messenger: found through the private reply that
 * Graph answered with this PSID (notification_queue.recipient_psid of the reply row).
 */
export const LINK_CLAIMS_TO_PSID = `
  UPDATE live_claims l
    JOIN live_comments c ON c.comment_id = l.comment_id
    JOIN notification_queue n ON n.id = c.reply_notification_id
     SET l.psid = n.recipient_psid
   WHERE n.recipient_psid = ? AND l.psid IS NULL`;

/**
 * ? psid, ? inbound event — held claims whose line is not in a cart yet, and those this event's turn
 * already put in the cart (a re-run of the turn tells the buyer about them), locked
 */
export const SELECT_HELD_TO_CART = `
  SELECT l.id, l.product_id, l.quantity, l.reservation_id, l.hold_expires_at, l.cart_id, c.code, p.name, p.price
    FROM live_claims l JOIN live_sale_codes c ON c.id = l.code_id JOIN products p ON p.id = l.product_id
   WHERE l.psid = ? AND l.status = 'held' AND (l.cart_id IS NULL OR l.carted_event = ?) ORDER BY l.id FOR UPDATE`;

/** ? cart id, ? product id, ? quantity — the held units join the cart line */
export const ADD_HELD_LINE = `
  INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (?, ?, ?)
  ON DUPLICATE KEY UPDATE quantity = quantity + VALUES(quantity)`;

/** ? cart id, ? reservation id */
export const TIE_HOLD_TO_CART = `UPDATE inventory_reservations SET hold_cart_id = ? WHERE id = ? AND status = 'reserved'`;

/** ? cart id, ? inbound event, ? claim id */
export const SET_CLAIM_CART = `UPDATE live_claims SET cart_id = ?, carted_event = ? WHERE id = ?`;

/** ? sale id — the tally is due (at most one every ? seconds): true when this call took the turn */
export const TAKE_TALLY_TURN = `
  UPDATE live_sales SET last_tally_at = NOW(3)
   WHERE id = ? AND (last_tally_at IS NULL OR last_tally_at <= NOW(3) - INTERVAL ? SECOND)`;

/** ? sale id — the summary's comment counts */
export const SELECT_COMMENT_COUNTS = `
  SELECT COUNT(*) AS comments, COALESCE(SUM(outcome = 'claim'), 0) AS claims FROM live_comments WHERE sale_id = ?`;

/** ? recipient type, ? psid (NULL: every admin, or a Private Reply not sent yet), ? notification type, ? payload JSON — an outbox row with no order */
export const INSERT_NOTIFICATION = `
  INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload) VALUES (NULL, ?, ?, ?, ?)`;

/** ? comment id, ? post id, ? comment JSON, ? reason, ? error, ? failing since (or NULL) — a repeat changes nothing */
export const INSERT_DEAD_LETTER = `
  INSERT IGNORE INTO live_comment_dead_letters (comment_id, post_id, comment, reason, error, failing_since)
  VALUES (?, ?, ?, ?, ?, ?)`;

/** the dead-lettered comments nobody has handled yet */
export const COUNT_OPEN_DEAD_LETTERS = `SELECT COUNT(*) AS n FROM live_comment_dead_letters WHERE resolved_at IS NULL`;
