/**
 * The seed's three "Monitoring Dashboard Queries", character for character (they must run unchanged).
 * No parameters. "Today" is the shop's day: the session time zone is SHOP_TIMEZONE (src/db/pool.ts).
 */
export const TODAYS_PERFORMANCE = `SELECT 
    COUNT(*) as total_orders,
    SUM(CASE WHEN order_status = 'delivered' THEN 1 ELSE 0 END) as delivered,
    AVG(CASE WHEN om.total_processing_duration_ms IS NOT NULL 
        THEN om.total_processing_duration_ms ELSE 0 END) as avg_processing_ms,
    SUM(error_count) as total_errors
FROM orders o
LEFT JOIN order_metrics om ON o.id = om.order_id
WHERE DATE(o.created_at) = CURDATE();`;

export const INVENTORY_ALERTS = `SELECT name, stock_quantity, low_stock_threshold
FROM products
WHERE stock_quantity <= low_stock_threshold
    AND status = 'active'
ORDER BY stock_quantity ASC;`;

export const PROCESSING_QUEUE_STATUS = `SELECT 
    queue_type,
    status,
    COUNT(*) as count,
    AVG(TIMESTAMPDIFF(MINUTE, created_at, NOW())) as avg_wait_minutes
FROM order_processing_queue
WHERE status IN ('pending', 'processing')
GROUP BY queue_type, status;`;
