-- 007: orders.created_by — who placed the order ('customer:<psid>', 'api', 'admin:<id>'). The insert
-- history trigger takes the actor from it, so placing an order needs no session variable (one round
-- trip less per order); status changes still use @qs_actor / @qs_reason (migration 006).
ALTER TABLE orders ADD COLUMN IF NOT EXISTS created_by VARCHAR(100) NULL COMMENT 'who placed the order';

DROP TRIGGER IF EXISTS trg_orders_history_insert;
CREATE TRIGGER trg_orders_history_insert AFTER INSERT ON orders FOR EACH ROW
BEGIN
  INSERT INTO order_state_history (order_id, from_status, to_status, changed_by, reason)
  VALUES (NEW.id, NULL, NEW.order_status, COALESCE(NEW.created_by, @qs_actor, USER()), COALESCE(@qs_reason, 'Order placed'));
  SET @qs_actor = NULL, @qs_reason = NULL;
END;
