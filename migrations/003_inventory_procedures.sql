-- 003_inventory_procedures: the ONE home of the inventory rules. The engine CALLs these inside its
-- transactions; an operator can CALL them by hand (the seed's troubleshooting:
-- CALL sp_release_order_inventory(order_id, 'Manual cleanup')). The trigger in 002 is the last-line
-- guard of the invariant (available >= 0); these procedures keep reserved_quantity equal to the sum of
-- 'reserved' reservations.
-- Rows are read with locking cursors (SELECT ... FOR UPDATE: current data, not the snapshot), so two
-- sessions can never release or commit the same reservation twice.

-- Stock adjustments (restock, corrections) with who and why.
CREATE TABLE IF NOT EXISTS inventory_adjustments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  product_id BIGINT UNSIGNED NOT NULL,
  delta INT NOT NULL,
  stock_before INT NOT NULL,
  stock_after INT NOT NULL,
  reason VARCHAR(500) NOT NULL,
  actor VARCHAR(100) NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY idx_ia_product (product_id, created_at),
  CONSTRAINT fk_ia_product FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Reserve p_quantity of an active product for an order, or fail with
-- SQLSTATE 45000 'INSUFFICIENT_STOCK:<product_id>' and change nothing.
DROP PROCEDURE IF EXISTS sp_reserve_inventory;
CREATE PROCEDURE sp_reserve_inventory(
  IN p_order_id BIGINT UNSIGNED, IN p_product_id BIGINT UNSIGNED, IN p_quantity INT, IN p_expires_at TIMESTAMP)
BEGIN
  DECLARE v_msg VARCHAR(128);
  IF p_quantity IS NULL OR p_quantity <= 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'INVALID_QUANTITY: quantity must be a positive integer';
  END IF;
  SET @qs_low_stock_ids = NULL;
  UPDATE products SET reserved_quantity = reserved_quantity + p_quantity
   WHERE id = p_product_id AND status = 'active' AND stock_quantity - reserved_quantity >= p_quantity;
  IF ROW_COUNT() = 0 THEN
    SET v_msg = CONCAT('INSUFFICIENT_STOCK:', p_product_id);
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_msg;
  END IF;
  INSERT INTO inventory_reservations (order_id, product_id, quantity, status, expires_at)
  VALUES (p_order_id, p_product_id, p_quantity, 'reserved', p_expires_at);
  -- one row back: the reservation and the 'low_stock' admin rows its update queued (the engine publishes them)
  SELECT LAST_INSERT_ID() AS reservation_id, CAST(@qs_low_stock_ids AS CHAR) AS low_stock_ids;
END;

-- Confirmed order: its reserved stock leaves the shelf (on hand and reserved both drop).
DROP PROCEDURE IF EXISTS sp_commit_order_inventory;
CREATE PROCEDURE sp_commit_order_inventory(IN p_order_id BIGINT UNSIGNED)
BEGIN
  DECLARE v_done INT DEFAULT 0;
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_product BIGINT UNSIGNED;
  DECLARE v_qty INT;
  DECLARE cur CURSOR FOR
    SELECT id, product_id, quantity FROM inventory_reservations
     WHERE order_id = p_order_id AND status = 'reserved' ORDER BY product_id FOR UPDATE;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;
  OPEN cur;
  commit_loop: LOOP
    FETCH cur INTO v_id, v_product, v_qty;
    IF v_done THEN LEAVE commit_loop; END IF;
    UPDATE products SET stock_quantity = stock_quantity - v_qty, reserved_quantity = reserved_quantity - v_qty
     WHERE id = v_product;
    UPDATE inventory_reservations SET status = 'committed' WHERE id = v_id;
  END LOOP;
  CLOSE cur;
END;

-- Shared body of release and expiry. 'reserved' rows go back to available; 'committed' rows go back on
-- the shelf only when the order is cancelled (a confirmed order that was cancelled: the goods never left).
DROP PROCEDURE IF EXISTS sp_release_reservations;
CREATE PROCEDURE sp_release_reservations(IN p_order_id BIGINT UNSIGNED, IN p_status VARCHAR(16), IN p_reason VARCHAR(500))
BEGIN
  DECLARE v_done INT DEFAULT 0;
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_product BIGINT UNSIGNED;
  DECLARE v_qty INT;
  DECLARE v_state VARCHAR(16);
  DECLARE v_order_status VARCHAR(16);
  DECLARE cur CURSOR FOR
    SELECT id, product_id, quantity, status FROM inventory_reservations
     WHERE order_id = p_order_id AND status IN ('reserved', 'committed') ORDER BY product_id FOR UPDATE;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;
  SELECT order_status INTO v_order_status FROM orders WHERE id = p_order_id FOR UPDATE;
  SET v_done = 0;
  OPEN cur;
  release_loop: LOOP
    FETCH cur INTO v_id, v_product, v_qty, v_state;
    IF v_done THEN LEAVE release_loop; END IF;
    IF v_state = 'reserved' THEN
      UPDATE products SET reserved_quantity = reserved_quantity - v_qty WHERE id = v_product;
      UPDATE inventory_reservations SET status = p_status, release_reason = p_reason WHERE id = v_id;
    ELSEIF v_order_status = 'cancelled' THEN
      UPDATE products SET stock_quantity = stock_quantity + v_qty WHERE id = v_product;
      UPDATE inventory_reservations SET status = 'released', release_reason = p_reason WHERE id = v_id;
    END IF;
  END LOOP;
  CLOSE cur;
END;

-- The seed's manual cleanup: release whatever the order still holds.
DROP PROCEDURE IF EXISTS sp_release_order_inventory;
CREATE PROCEDURE sp_release_order_inventory(IN p_order_id BIGINT UNSIGNED, IN p_reason VARCHAR(500))
BEGIN
  CALL sp_release_reservations(p_order_id, 'released', COALESCE(p_reason, 'released'));
END;

-- The expiry path: reservations end as 'expired'.
DROP PROCEDURE IF EXISTS sp_expire_order_inventory;
CREATE PROCEDURE sp_expire_order_inventory(IN p_order_id BIGINT UNSIGNED, IN p_reason VARCHAR(500))
BEGIN
  CALL sp_release_reservations(p_order_id, 'expired', COALESCE(p_reason, 'reservation expired'));
END;
