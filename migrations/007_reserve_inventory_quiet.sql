-- 007_reserve_inventory_quiet: sp_reserve_inventory no longer returns a row. createOrder reserves inside
-- its one-statement transaction (see src/orders/create-order-batch.ts) and reads what it needs once at
-- the end: a result set per order line cost a reply packet each. The low-stock alerts that the
-- product update queues are appended to @qs_low_stock_ids by trg_products_low_stock (002) as before;
-- the caller clears the variable before its first reservation and reads it after the last.
-- The rule itself is unchanged (conditional update, SIGNAL 'INSUFFICIENT_STOCK:<product id>').
DROP PROCEDURE IF EXISTS sp_reserve_inventory;
CREATE PROCEDURE sp_reserve_inventory(
  IN p_order_id BIGINT UNSIGNED, IN p_product_id BIGINT UNSIGNED, IN p_quantity INT, IN p_expires_at TIMESTAMP)
BEGIN
  DECLARE v_msg VARCHAR(128);
  IF p_quantity IS NULL OR p_quantity <= 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'INVALID_QUANTITY: quantity must be a positive integer';
  END IF;
  UPDATE products SET reserved_quantity = reserved_quantity + p_quantity
   WHERE id = p_product_id AND status = 'active' AND stock_quantity - reserved_quantity >= p_quantity;
  IF ROW_COUNT() = 0 THEN
    SET v_msg = CONCAT('INSUFFICIENT_STOCK:', p_product_id);
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_msg;
  END IF;
  INSERT INTO inventory_reservations (order_id, product_id, quantity, status, expires_at)
  VALUES (p_order_id, p_product_id, p_quantity, 'reserved', p_expires_at);
END;
