-- 070_place_order: createOrder's writes as ONE stored procedure, called inside the transaction the engine
-- opens and commits (src/orders/create-order-batch.ts). Until now the same writes went to the server as a
-- compound statement of ~24 statements per order, parsed anew for every order (a sixth of the server's
-- CPU in a profile of bench:orders); a procedure is parsed once per connection and then only executed.
-- The rules are unchanged and stay where they were: stock is reserved by sp_reserve_inventory (003/007)
-- in product order, a cart's live-sale holds are adopted by sp_adopt_cart_holds (060), the history row
-- comes from the orders trigger (002), a promo use past its limit is refused by chk_promo_usage (006).
--
-- Writes, in this order: the order row; the cart checked out and its holds released (p_cart_id); one
-- reservation per line (p_lines in product id order: [[product_id, quantity, name, sku, unit_price,
-- line_total], ...]); the items (after the reservations: their foreign key takes a shared lock on the
-- product row, which must come after our exclusive one); the outbox rows (the customer's receipt if
-- p_customer_psid, the admins' broadcast, the reservation-expiry job, each payload given as JSON object
-- text and spliced with "order_id"); the promo use (p_promo_id, after the products like every transaction);
-- order_metrics. p_result: 'order id|low-stock notification ids|notification ids|processing id'.
--
-- p_grouped: the call is one order of a group commit (src/orders/group-commit.ts). It sets a savepoint
-- first and any error rolls back to it and is returned in p_errno (p_result stays NULL), so the other
-- orders of the transaction go on; a deadlock is re-raised (InnoDB rolled the whole transaction back).
-- Without p_grouped every error is raised as it is, and the caller rolls back.
-- p_fail_step / p_fail_message: the engine's test seam (EngineContext.fault) — an error raised at that
-- step ('after_order_insert', 'after_reserve', 'after_items', 'after_outbox'), as a real one would be.
DROP PROCEDURE IF EXISTS sp_place_order;
CREATE PROCEDURE sp_place_order(
  IN p_number VARCHAR(32), IN p_user_id BIGINT UNSIGNED, IN p_cart_id BIGINT UNSIGNED, IN p_payment_method VARCHAR(32),
  IN p_subtotal DECIMAL(12,2), IN p_shipping_fee DECIMAL(12,2), IN p_discount DECIMAL(12,2), IN p_total DECIMAL(12,2),
  IN p_promo_code VARCHAR(50), IN p_recipient VARCHAR(200), IN p_phone VARCHAR(20), IN p_address VARCHAR(500),
  IN p_city VARCHAR(100), IN p_province VARCHAR(100), IN p_postal VARCHAR(10), IN p_source VARCHAR(32),
  IN p_ip VARCHAR(45), IN p_user_agent VARCHAR(500), IN p_fraud_score INT, IN p_fraud_flags TEXT, IN p_verify BOOLEAN,
  IN p_expires_at TIMESTAMP, IN p_signature CHAR(40), IN p_created_by VARCHAR(100), IN p_idempotency_key VARCHAR(64),
  IN p_lines MEDIUMTEXT, IN p_customer_psid VARCHAR(64), IN p_customer_payload MEDIUMTEXT, IN p_admin_payload MEDIUMTEXT,
  IN p_expiry_payload TEXT, IN p_promo_id BIGINT UNSIGNED,
  IN p_validation_ms INT, IN p_wait_ms INT, IN p_total_ms INT, IN p_items INT,
  IN p_fail_step VARCHAR(32), IN p_fail_message VARCHAR(128), IN p_grouped BOOLEAN,
  OUT p_result VARCHAR(1000), OUT p_errno INT)
BEGIN
  DECLARE v_order BIGINT UNSIGNED;
  DECLARE v_ordered_at DATETIME(6);
  DECLARE v_reserved_at DATETIME(6);
  DECLARE v_notifications VARCHAR(100);
  DECLARE v_processing BIGINT UNSIGNED;
  DECLARE v_low_stock VARCHAR(1000);
  DECLARE v_lines INT DEFAULT JSON_LENGTH(p_lines);
  DECLARE i INT DEFAULT 0;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    GET DIAGNOSTICS CONDITION 1 p_errno = MYSQL_ERRNO;
    IF NOT p_grouped OR p_errno = 1213 THEN
      RESIGNAL;
    END IF;
    ROLLBACK TO SAVEPOINT qs_order;
    SET @qs_low_stock_ids = NULL;
  END;
  SET p_result = NULL, p_errno = NULL, @qs_low_stock_ids = NULL;
  IF p_grouped THEN
    SAVEPOINT qs_order;
  END IF;

  INSERT INTO orders (order_number, user_id, cart_id, order_status, payment_method, subtotal, shipping_fee,
      discount_amount, total_amount, promo_code, recipient_name, phone, shipping_address, city, province, postal_code,
      order_source, ip_address, user_agent, fraud_score, fraud_flags, requires_verification, expires_at,
      items_signature, created_by, idempotency_key)
    VALUES (p_number, p_user_id, p_cart_id, 'pending', p_payment_method, p_subtotal, p_shipping_fee, p_discount, p_total,
      p_promo_code, p_recipient, p_phone, p_address, p_city, p_province, p_postal, p_source, p_ip, p_user_agent,
      p_fraud_score, p_fraud_flags, p_verify, p_expires_at, p_signature, p_created_by, p_idempotency_key);
  SET v_order = LAST_INSERT_ID(), v_ordered_at = SYSDATE(6);
  IF p_fail_step = 'after_order_insert' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = p_fail_message; END IF;

  IF p_cart_id IS NOT NULL THEN
    UPDATE carts SET status = 'checked_out' WHERE id = p_cart_id AND user_id = p_user_id AND status = 'open';
    -- live-sale holds the cart carries become the order's reservations below, with no gap between
    CALL sp_adopt_cart_holds(p_cart_id);
  END IF;
  WHILE i < v_lines DO
    CALL sp_reserve_inventory(v_order, JSON_VALUE(p_lines, CONCAT('$[', i, '][0]')),
      JSON_VALUE(p_lines, CONCAT('$[', i, '][1]')), p_expires_at);
    SET i = i + 1;
  END WHILE;
  SET v_reserved_at = SYSDATE(6);
  IF p_fail_step = 'after_reserve' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = p_fail_message; END IF;

  SET i = 0;
  WHILE i < v_lines DO
    INSERT INTO order_items (order_id, product_id, product_name, sku, unit_price, quantity, line_total)
      VALUES (v_order, JSON_VALUE(p_lines, CONCAT('$[', i, '][0]')), JSON_VALUE(p_lines, CONCAT('$[', i, '][2]')),
        JSON_VALUE(p_lines, CONCAT('$[', i, '][3]')), JSON_VALUE(p_lines, CONCAT('$[', i, '][4]')),
        JSON_VALUE(p_lines, CONCAT('$[', i, '][1]')), JSON_VALUE(p_lines, CONCAT('$[', i, '][5]')));
    SET i = i + 1;
  END WHILE;
  IF p_fail_step = 'after_items' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = p_fail_message; END IF;

  IF p_customer_psid IS NOT NULL THEN
    INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload)
      VALUES (v_order, 'customer', p_customer_psid, 'order_received', CONCAT('{"order_id":', v_order, ',', SUBSTRING(p_customer_payload, 2)));
    SET v_notifications = LAST_INSERT_ID();
  END IF;
  INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload)
    VALUES (v_order, 'admin', NULL, 'new_order_admin', CONCAT('{"order_id":', v_order, ',', SUBSTRING(p_admin_payload, 2)));
  SET v_notifications = CONCAT_WS(',', v_notifications, LAST_INSERT_ID());
  INSERT INTO order_processing_queue (order_id, queue_type, priority, payload, scheduled_at)
    VALUES (v_order, 'reservation_expiry', 0, CONCAT('{"order_id":', v_order, ',', SUBSTRING(p_expiry_payload, 2)), p_expires_at);
  SET v_processing = LAST_INSERT_ID();
  IF p_fail_step = 'after_outbox' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = p_fail_message; END IF;

  IF p_promo_id IS NOT NULL THEN
    UPDATE promo_codes SET times_used = times_used + 1 WHERE id = p_promo_id;
  END IF;
  -- the JavaScript part of each duration is given; the server adds its own part since the order row
  INSERT INTO order_metrics (order_id, validation_duration_ms, inventory_duration_ms, db_write_duration_ms,
      total_processing_duration_ms, items_count)
    VALUES (v_order, p_validation_ms, TIMESTAMPDIFF(MICROSECOND, v_ordered_at, v_reserved_at) DIV 1000,
      p_wait_ms + TIMESTAMPDIFF(MICROSECOND, v_ordered_at, SYSDATE(6)) DIV 1000,
      p_total_ms + TIMESTAMPDIFF(MICROSECOND, v_ordered_at, SYSDATE(6)) DIV 1000, p_items);

  -- the 'low_stock' rows the reservations' product updates queued (trg_products_low_stock, migration 002)
  SET v_low_stock = CAST(@qs_low_stock_ids AS CHAR), @qs_low_stock_ids = NULL;
  SET p_result = CONCAT_WS('|', v_order, IFNULL(v_low_stock, ''), v_notifications, v_processing);
END;
