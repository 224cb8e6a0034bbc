-- 002_order_triggers: the database-side rules that hold whatever writes the row (engine, procedure,
-- or a person at the mysql prompt).
--  * every order_status change (and the insert) writes order_state_history. Who placed the order comes
--    from orders.created_by; who/why of a status change from the session variables @qs_actor /
--    @qs_reason that the engine sets right before its UPDATE. The trigger CONSUMES them (sets them back
--    to NULL), so a value can never leak to a later statement on the same pooled connection and the
--    engine needs no reset round trip. A manual UPDATE has neither, so the history names the SQL
--    session's USER() (inside a trigger CURRENT_USER() is the trigger's definer, not the person).
--  * available stock (stock_quantity - reserved_quantity) can never go negative.
--  * a low-stock crossing (available drops to or below low_stock_threshold) queues one admin broadcast
--    notification 'low_stock'; its id is appended to @qs_low_stock_ids so the engine can publish it
--    right after commit (the outbox relay publishes it anyway if nobody does).

DROP TRIGGER IF EXISTS trg_orders_history_insert;
CREATE TRIGGER trg_orders_history_insert AFTER INSERT ON orders FOR EACH ROW
BEGIN
  INSERT INTO order_state_history (order_id, from_status, to_status, changed_by, reason)
  VALUES (NEW.id, NULL, NEW.order_status, COALESCE(NEW.created_by, @qs_actor, USER()), COALESCE(@qs_reason, 'Order placed'));
  SET @qs_actor = NULL, @qs_reason = NULL;
END;

DROP TRIGGER IF EXISTS trg_orders_history_update;
CREATE TRIGGER trg_orders_history_update AFTER UPDATE ON orders FOR EACH ROW
BEGIN
  IF NOT (OLD.order_status <=> NEW.order_status) THEN
    INSERT INTO order_state_history (order_id, from_status, to_status, changed_by, reason)
    VALUES (NEW.id, OLD.order_status, NEW.order_status, COALESCE(@qs_actor, USER()),
            COALESCE(@qs_reason, 'Status changed outside the order engine'));
    SET @qs_actor = NULL, @qs_reason = NULL;
  END IF;
END;

DROP TRIGGER IF EXISTS trg_products_stock_guard;
CREATE TRIGGER trg_products_stock_guard BEFORE UPDATE ON products FOR EACH ROW
BEGIN
  IF NEW.stock_quantity < 0 OR NEW.reserved_quantity < 0 OR NEW.stock_quantity - NEW.reserved_quantity < 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'STOCK_BELOW_RESERVED: available stock cannot go negative';
  END IF;
END;

DROP TRIGGER IF EXISTS trg_products_low_stock;
CREATE TRIGGER trg_products_low_stock AFTER UPDATE ON products FOR EACH ROW
BEGIN
  IF NEW.status = 'active'
     AND OLD.stock_quantity - OLD.reserved_quantity > NEW.low_stock_threshold
     AND NEW.stock_quantity - NEW.reserved_quantity <= NEW.low_stock_threshold THEN
    INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload)
    VALUES (NULL, 'admin', NULL, 'low_stock', JSON_OBJECT(
      'product_id', NEW.id, 'sku', NEW.sku, 'name', NEW.name,
      'stock_quantity', NEW.stock_quantity, 'reserved_quantity', NEW.reserved_quantity,
      'available_quantity', NEW.stock_quantity - NEW.reserved_quantity,
      'low_stock_threshold', NEW.low_stock_threshold));
    SET @qs_low_stock_ids = CONCAT_WS(',', @qs_low_stock_ids, LAST_INSERT_ID());
  END IF;
END;
