-- 008: orders.idempotency_key — a caller's retry key (opaque; the REST API stores a SHA-256 of the acting
-- admin, the Idempotency-Key and the request), written in the order's own transaction. Unique, so one key
-- is at most one order: a retry, even after a crash between the commit and the HTTP layer recording its
-- answer, gets the first order back (createOrder replays it, like a cart). NULL (most orders) never clashes.
-- Safe to run twice.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS idempotency_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL
  COMMENT 'caller retry key (a hash); one order per key';
ALTER TABLE orders ADD UNIQUE KEY IF NOT EXISTS uq_orders_idempotency_key (idempotency_key);
