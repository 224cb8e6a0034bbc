-- 060_live_sales: live selling. A sale maps item codes ("M1") to products for one post or live video;
-- a buyer's "mine M1" comment becomes a claim, and a claim that gets stock is a HOLD: an
-- inventory_reservations row without an order (order_id NULL, live_claim_id set), made by the very same
-- sp_reserve_inventory as an order line. So the invariant stays one rule: Σ 'reserved' rows of a product
-- = products.reserved_quantity, holds included. At checkout the hold is released and the order's own
-- reservation taken in the same transaction (sp_adopt_cart_holds, called by createOrder's batch), under
-- the product row lock: no moment in which another buyer could take the unit.

ALTER TABLE inventory_reservations
  MODIFY order_id BIGINT UNSIGNED NULL COMMENT 'NULL: a live-sale hold (live_claim_id) not checked out yet',
  ADD COLUMN live_claim_id BIGINT UNSIGNED NULL COMMENT 'the live_claims row this hold belongs to',
  ADD COLUMN hold_cart_id BIGINT UNSIGNED NULL COMMENT 'the buyer cart that carries the held line',
  ADD KEY idx_ir_hold_cart (hold_cart_id, status),
  ADD KEY idx_ir_live_claim (live_claim_id);

CREATE TABLE IF NOT EXISTS live_sales (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  post_id VARCHAR(100) NOT NULL COMMENT 'the Page post or live video id the comments arrive on',
  status ENUM('live','stopped') NOT NULL DEFAULT 'live',
  live_post_id VARCHAR(100) AS (IF(status = 'live', post_id, NULL)) STORED COMMENT 'one live sale per post',
  created_by VARCHAR(100) NOT NULL,
  last_tally_at TIMESTAMP(3) NULL DEFAULT NULL COMMENT 'when the admins were last sent the running tally',
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  stopped_at TIMESTAMP NULL DEFAULT NULL,
  UNIQUE KEY uq_live_sales_live_post (live_post_id),
  KEY idx_live_sales_post (post_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The collation is case-insensitive: 'm1' and 'M1' are the same code of a sale.
CREATE TABLE IF NOT EXISTS live_sale_codes (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sale_id BIGINT UNSIGNED NOT NULL,
  code VARCHAR(20) NOT NULL,
  product_id BIGINT UNSIGNED NOT NULL,
  limit_per_buyer INT NULL,
  UNIQUE KEY uq_live_codes (sale_id, code),
  CONSTRAINT fk_live_codes_sale FOREIGN KEY (sale_id) REFERENCES live_sales (id),
  CONSTRAINT fk_live_codes_product FOREIGN KEY (product_id) REFERENCES products (id),
  CONSTRAINT chk_live_codes_limit CHECK (limit_per_buyer IS NULL OR limit_per_buyer > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every comment seen on a live sale's post, once (comment_id is the de-duplication key for good).
CREATE TABLE IF NOT EXISTS live_comments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  comment_id VARCHAR(100) NOT NULL,
  sale_id BIGINT UNSIGNED NOT NULL,
  commenter_id VARCHAR(64) NOT NULL,
  commenter_name VARCHAR(200) NULL,
  message TEXT NULL,
  outcome VARCHAR(20) NOT NULL COMMENT 'claim | price_question | unclear | none',
  reply_notification_id BIGINT UNSIGNED NULL COMMENT 'the private reply (notification_queue row)',
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_live_comments (comment_id),
  KEY idx_live_comments_sale (sale_id, id),
  KEY idx_live_comments_reply (reply_notification_id),
  CONSTRAINT fk_live_comments_sale FOREIGN KEY (sale_id) REFERENCES live_sales (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per code claimed in a comment. 'held' has a reservation; 'waitlisted' waits, first come first
-- served (by id), for a unit to come back.
CREATE TABLE IF NOT EXISTS live_claims (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sale_id BIGINT UNSIGNED NOT NULL,
  code_id BIGINT UNSIGNED NOT NULL,
  product_id BIGINT UNSIGNED NOT NULL,
  comment_id VARCHAR(100) NOT NULL,
  commenter_id VARCHAR(64) NOT NULL,
  quantity INT NOT NULL,
  status ENUM('waitlisted','held','checked_out','expired','released') NOT NULL DEFAULT 'waitlisted',
  reservation_id BIGINT UNSIGNED NULL,
  psid VARCHAR(64) NULL COMMENT 'the buyer in Messenger, once they have written to the Page',
  cart_id BIGINT UNSIGNED NULL COMMENT 'the cart the held line was put in',
  hold_expires_at TIMESTAMP(3) NULL DEFAULT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  KEY idx_live_claims_queue (code_id, status, id),
  KEY idx_live_claims_comment (comment_id),
  KEY idx_live_claims_buyer (commenter_id, code_id),
  KEY idx_live_claims_psid (psid, status),
  KEY idx_live_claims_due (status, hold_expires_at),
  CONSTRAINT fk_live_claims_sale FOREIGN KEY (sale_id) REFERENCES live_sales (id),
  CONSTRAINT fk_live_claims_code FOREIGN KEY (code_id) REFERENCES live_sale_codes (id),
  CONSTRAINT chk_live_claims_qty CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A claim gets its hold: the order rule (sp_reserve_inventory, conditional update, SIGNAL
-- 'INSUFFICIENT_STOCK:<product>') with no order, then the reservation is tied to the claim.
DROP PROCEDURE IF EXISTS sp_hold_inventory;
CREATE PROCEDURE sp_hold_inventory(
  IN p_claim_id BIGINT UNSIGNED, IN p_product_id BIGINT UNSIGNED, IN p_quantity INT, IN p_expires_at TIMESTAMP(3))
BEGIN
  DECLARE v_reservation BIGINT UNSIGNED;
  CALL sp_reserve_inventory(NULL, p_product_id, p_quantity, p_expires_at);
  SET v_reservation = LAST_INSERT_ID();
  UPDATE inventory_reservations SET live_claim_id = p_claim_id WHERE id = v_reservation;
  UPDATE live_claims SET status = 'held', reservation_id = v_reservation, hold_expires_at = p_expires_at
   WHERE id = p_claim_id;
END;

-- A hold ends without an order (expired, released by the seller): its units go back to available.
-- The same two writes as sp_release_reservations' 'reserved' branch, for one reservation row.
DROP PROCEDURE IF EXISTS sp_release_hold;
CREATE PROCEDURE sp_release_hold(IN p_reservation_id BIGINT UNSIGNED, IN p_status VARCHAR(16), IN p_reason VARCHAR(500))
BEGIN
  DECLARE v_product BIGINT UNSIGNED;
  DECLARE v_qty INT;
  DECLARE v_state VARCHAR(16);
  SELECT product_id, quantity, status INTO v_product, v_qty, v_state
    FROM inventory_reservations WHERE id = p_reservation_id AND order_id IS NULL FOR UPDATE;
  IF v_state = 'reserved' THEN
    UPDATE products SET reserved_quantity = reserved_quantity - v_qty WHERE id = v_product;
    UPDATE inventory_reservations SET status = p_status, release_reason = p_reason WHERE id = p_reservation_id;
  END IF;
END;

-- Checkout of a cart that carries held lines: each hold is released in the order's own transaction,
-- right before sp_reserve_inventory reserves the cart's lines for the order (products in id order,
-- like the engine). The product rows stay locked from here to COMMIT.
DROP PROCEDURE IF EXISTS sp_adopt_cart_holds;
CREATE PROCEDURE sp_adopt_cart_holds(IN p_cart_id BIGINT UNSIGNED)
BEGIN
  DECLARE v_done INT DEFAULT 0;
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE cur CURSOR FOR
    SELECT id FROM inventory_reservations
     WHERE hold_cart_id = p_cart_id AND status = 'reserved' AND order_id IS NULL ORDER BY product_id FOR UPDATE;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;
  OPEN cur;
  adopt_loop: LOOP
    FETCH cur INTO v_id;
    IF v_done THEN LEAVE adopt_loop; END IF;
    CALL sp_release_hold(v_id, 'released', 'checked out: the order reserves it');
    UPDATE live_claims SET status = 'checked_out' WHERE reservation_id = v_id AND status = 'held';
  END LOOP;
  CLOSE cur;
END;
