/** Named SQL for the product catalog. Parameters are listed in each header; values are always bound. */

const PRODUCT_COLUMNS = `id, sku, name, description, price, stock_quantity, reserved_quantity, low_stock_threshold,
  status, category, image_url, created_at, updated_at`;

/** ? product id */
export const SELECT_PRODUCT = `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ?`;
/** ? product id — locked, for a stock adjustment */
export const LOCK_PRODUCT = `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ? FOR UPDATE`;

/** ? status or NULL ×2, ? category or NULL ×2, ? 1 for products without a category (else 0), ? LIKE pattern or NULL ×4,
 * ? after id, ? limit */
export const LIST_PRODUCTS = `SELECT ${PRODUCT_COLUMNS} FROM products
  WHERE (? IS NULL OR status = ?) AND (? IS NULL OR category = ?)
    AND (? = 0 OR category IS NULL OR category = '')
    AND (? IS NULL OR name LIKE ? OR sku LIKE ? OR description LIKE ?)
    AND id > ?
  ORDER BY id LIMIT ?`;

/** categories of active products, with how many each holds; products without one form a last row with category NULL */
export const LIST_CATEGORIES = `SELECT NULLIF(category, '') AS category, COUNT(*) AS product_count FROM products
  WHERE status = 'active' GROUP BY NULLIF(category, '') ORDER BY NULLIF(category, '') IS NULL, NULLIF(category, '')`;

/** ? sku, ? name, ? description, ? price, ? stock, ? threshold, ? status, ? category, ? image url */
export const INSERT_PRODUCT = `INSERT INTO products (sku, name, description, price, stock_quantity, low_stock_threshold,
  status, category, image_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** ? delta, ? product id — the trigger refuses it if stock would fall below what is reserved */
export const ADJUST_STOCK = `UPDATE products SET stock_quantity = stock_quantity + ? WHERE id = ?`;

/** ? product id, ? delta, ? before, ? after, ? reason, ? actor */
export const INSERT_ADJUSTMENT = `INSERT INTO inventory_adjustments (product_id, delta, stock_before, stock_after, reason, actor)
  VALUES (?, ?, ?, ?, ?, ?)`;


/** ? 'active' | 'inactive', ? product id */
export const SET_PRODUCT_STATUS = `UPDATE products SET status = ? WHERE id = ?`;
