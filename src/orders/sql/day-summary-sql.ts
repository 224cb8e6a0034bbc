/**
 * The admin's "🧾 Today": the shop's day (the session time zone is SHOP_TIMEZONE, so CURDATE() and
 * DATE(created_at) are the shop's). No parameters.
 */
export const TODAY_FROM_DAILY_VIEW = `SELECT order_date, total_orders, pending, confirmed, processing, shipped, delivered,
  cancelled, expired, revenue FROM vw_daily_order_summary WHERE order_date = CURDATE()`;

/** the shop's date as YYYY-MM-DD */
export const SHOP_DATE = 'SELECT CAST(CURDATE() AS CHAR) AS d';

/** today's best sellers by units (cancelled and expired orders left out) */
export const TODAY_TOP_PRODUCTS = `SELECT oi.product_name AS name, SUM(oi.quantity) AS units, SUM(oi.line_total) AS revenue
  FROM order_items oi JOIN orders o ON o.id = oi.order_id
  WHERE o.created_at >= CURDATE() AND o.created_at < CURDATE() + INTERVAL 1 DAY
    AND o.order_status NOT IN ('cancelled', 'expired')
  GROUP BY oi.product_id, oi.product_name ORDER BY units DESC, revenue DESC LIMIT 5`;

/** active products at or under their alert level, by what is available to sell */
export const LOW_STOCK_NOW = `SELECT id, name, available_quantity, stock_status FROM vw_inventory_status
  WHERE status = 'active' AND stock_status <> 'IN_STOCK' ORDER BY available_quantity, name LIMIT 10`;
