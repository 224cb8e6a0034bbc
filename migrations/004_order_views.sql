-- 004_order_views: the seed's reporting views. Dates follow the session time zone, which the app sets
-- to SHOP_TIMEZONE (so a "day" is the shop's day).

CREATE OR REPLACE VIEW vw_pending_orders AS
SELECT o.id, o.order_number, o.user_id, u.name AS customer_name, u.psid AS customer_psid,
       o.recipient_name, o.phone, o.province, o.payment_method, o.payment_status,
       o.subtotal, o.shipping_fee, o.discount_amount, o.total_amount,
       (SELECT COALESCE(SUM(oi.quantity), 0) FROM order_items oi WHERE oi.order_id = o.id) AS items_count,
       o.fraud_score, o.requires_verification, o.error_count, o.expires_at, o.created_at,
       TIMESTAMPDIFF(MINUTE, o.created_at, NOW()) AS age_minutes
  FROM orders o
  JOIN users u ON u.id = o.user_id
 WHERE o.order_status = 'pending';

CREATE OR REPLACE VIEW vw_inventory_status AS
SELECT p.id, p.sku, p.name, p.category, p.price, p.status,
       p.stock_quantity, p.reserved_quantity,
       p.stock_quantity - p.reserved_quantity AS available_quantity,
       p.low_stock_threshold,
       CASE
         WHEN p.stock_quantity - p.reserved_quantity <= 0 THEN 'OUT_OF_STOCK'
         WHEN p.stock_quantity - p.reserved_quantity <= p.low_stock_threshold THEN 'LOW_STOCK'
         ELSE 'IN_STOCK'
       END AS stock_status
  FROM products p;

CREATE OR REPLACE VIEW vw_daily_order_summary AS
SELECT DATE(o.created_at) AS order_date,
       COUNT(*) AS total_orders,
       SUM(o.order_status = 'pending') AS pending,
       SUM(o.order_status = 'confirmed') AS confirmed,
       SUM(o.order_status = 'processing') AS processing,
       SUM(o.order_status = 'shipped') AS shipped,
       SUM(o.order_status = 'delivered') AS delivered,
       SUM(o.order_status = 'cancelled') AS cancelled,
       SUM(o.order_status = 'expired') AS expired,
       COALESCE(SUM(CASE WHEN o.order_status NOT IN ('cancelled', 'expired') THEN o.total_amount END), 0) AS revenue,
       AVG(CASE WHEN o.order_status NOT IN ('cancelled', 'expired') THEN o.total_amount END) AS avg_order_value,
       SUM(o.error_count) AS total_errors
  FROM orders o
 GROUP BY DATE(o.created_at);
