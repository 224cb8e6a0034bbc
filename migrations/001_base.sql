-- 001_base: the shop's base tables and the seed's six order-engine tables.
-- Times are TIMESTAMP (stored UTC, shown in the session time zone, which the app sets to SHOP_TIMEZONE).
-- Money is DECIMAL(12,2); quantities are INT and CHECKed non-negative.

CREATE TABLE IF NOT EXISTS users (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  psid VARCHAR(64) NULL,
  name VARCHAR(200) NOT NULL,
  phone VARCHAR(20) NULL,
  email VARCHAR(200) NULL,
  is_blocked BOOLEAN NOT NULL DEFAULT FALSE,
  saved_address JSON NULL,
  last_message_at TIMESTAMP NULL DEFAULT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_users_psid (psid),
  KEY idx_users_phone (phone)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS admins (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  api_key_hash CHAR(64) NOT NULL,
  key_prefix VARCHAR(16) NOT NULL,
  psid VARCHAR(64) NULL,
  revoked_at TIMESTAMP NULL DEFAULT NULL,
  last_used_at TIMESTAMP NULL DEFAULT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_admins_key (api_key_hash),
  UNIQUE KEY uq_admins_psid (psid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS products (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku VARCHAR(64) NULL,
  name VARCHAR(200) NOT NULL,
  description TEXT NULL,
  price DECIMAL(12,2) NOT NULL,
  stock_quantity INT NOT NULL DEFAULT 0,
  reserved_quantity INT NOT NULL DEFAULT 0,
  low_stock_threshold INT NOT NULL DEFAULT 5,
  status ENUM('active','inactive') NOT NULL DEFAULT 'active',
  category VARCHAR(100) NULL,
  image_url VARCHAR(1000) NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_products_sku (sku),
  KEY idx_products_status_category (status, category),
  KEY idx_products_name (name),
  KEY idx_products_low_stock (status, stock_quantity),
  CONSTRAINT chk_products_price CHECK (price >= 0),
  CONSTRAINT chk_products_stock CHECK (stock_quantity >= 0),
  CONSTRAINT chk_products_reserved CHECK (reserved_quantity >= 0 AND reserved_quantity <= stock_quantity)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS promo_codes (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(50) NOT NULL,
  description VARCHAR(255) NULL,
  discount_type ENUM('percent','fixed') NOT NULL,
  discount_value DECIMAL(12,2) NOT NULL,
  min_spend DECIMAL(12,2) NOT NULL DEFAULT 0,
  max_discount DECIMAL(12,2) NULL,
  starts_at TIMESTAMP NULL DEFAULT NULL,
  ends_at TIMESTAMP NULL DEFAULT NULL,
  usage_limit INT NULL,
  per_user_limit INT NULL,
  times_used INT NOT NULL DEFAULT 0,
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_promo_code (code),
  CONSTRAINT chk_promo_value CHECK (discount_value >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS shipping_rates (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  province VARCHAR(100) NOT NULL COMMENT 'province name; * is the fallback rate',
  fee DECIMAL(12,2) NOT NULL,
  free_shipping_min DECIMAL(12,2) NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_shipping_province (province)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS carts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  status ENUM('open','checked_out','abandoned') NOT NULL DEFAULT 'open',
  -- at most one open cart per user
  open_user_id BIGINT UNSIGNED AS (IF(status = 'open', user_id, NULL)) PERSISTENT,
  checkout JSON NULL COMMENT 'checkout answers collected by the bot (address, payment, promo)',
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_carts_open_user (open_user_id),
  KEY idx_carts_user (user_id),
  CONSTRAINT fk_carts_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS cart_items (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  cart_id BIGINT UNSIGNED NOT NULL,
  product_id BIGINT UNSIGNED NOT NULL,
  quantity INT NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_cart_items (cart_id, product_id),
  CONSTRAINT fk_cart_items_cart FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE,
  CONSTRAINT fk_cart_items_product FOREIGN KEY (product_id) REFERENCES products (id),
  CONSTRAINT chk_cart_items_qty CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_number VARCHAR(32) NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  cart_id BIGINT UNSIGNED NULL,
  order_status ENUM('pending','confirmed','processing','shipped','delivered','cancelled','expired') NOT NULL DEFAULT 'pending',
  payment_method VARCHAR(32) NOT NULL,
  payment_status ENUM('unpaid','proof_submitted','paid','refunded') NOT NULL DEFAULT 'unpaid',
  payment_proof_url VARCHAR(2000) NULL,
  subtotal DECIMAL(12,2) NOT NULL,
  shipping_fee DECIMAL(12,2) NOT NULL DEFAULT 0,
  discount_amount DECIMAL(12,2) NOT NULL DEFAULT 0,
  total_amount DECIMAL(12,2) NOT NULL,
  promo_code VARCHAR(50) NULL,
  recipient_name VARCHAR(200) NOT NULL,
  phone VARCHAR(20) NOT NULL,
  shipping_address VARCHAR(500) NOT NULL,
  city VARCHAR(100) NOT NULL,
  province VARCHAR(100) NOT NULL,
  postal_code VARCHAR(10) NOT NULL,
  order_source VARCHAR(32) NOT NULL DEFAULT 'api',
  ip_address VARCHAR(45) NULL,
  user_agent VARCHAR(500) NULL,
  error_count INT NOT NULL DEFAULT 0,
  admin_notes TEXT NULL,
  cancel_reason VARCHAR(500) NULL,
  created_by VARCHAR(100) NULL COMMENT 'who placed the order: customer:<psid>, api, admin:<id>',
  items_signature CHAR(40) NULL COMMENT 'SHA-1 of the sorted product x quantity lines (duplicate-order rule)',
  idempotency_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL COMMENT 'caller retry key (a hash); one order per key',
  fraud_score INT NOT NULL DEFAULT 0,
  fraud_flags JSON NULL,
  requires_verification BOOLEAN NOT NULL DEFAULT FALSE,
  tracking_number VARCHAR(100) NULL,
  confirmed_by VARCHAR(100) NULL,
  confirmed_at TIMESTAMP NULL DEFAULT NULL,
  cancelled_at TIMESTAMP NULL DEFAULT NULL,
  shipped_at TIMESTAMP NULL DEFAULT NULL,
  delivered_at TIMESTAMP NULL DEFAULT NULL,
  expires_at TIMESTAMP NULL DEFAULT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_orders_number (order_number),
  UNIQUE KEY uq_orders_cart (cart_id),
  UNIQUE KEY uq_orders_idempotency_key (idempotency_key),
  KEY idx_orders_user_signature (user_id, items_signature, created_at),
  KEY idx_orders_status_created (order_status, created_at),
  KEY idx_orders_user_created (user_id, created_at),
  KEY idx_orders_created (created_at),
  KEY idx_orders_status_expires (order_status, expires_at),
  CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT chk_orders_money CHECK (subtotal >= 0 AND shipping_fee >= 0 AND discount_amount >= 0 AND total_amount >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS order_items (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  product_id BIGINT UNSIGNED NOT NULL,
  product_name VARCHAR(200) NOT NULL,
  sku VARCHAR(64) NULL,
  unit_price DECIMAL(12,2) NOT NULL,
  quantity INT NOT NULL,
  line_total DECIMAL(12,2) NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY idx_order_items_order (order_id),
  KEY idx_order_items_product (product_id),
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_order_items_product FOREIGN KEY (product_id) REFERENCES products (id),
  CONSTRAINT chk_order_items_qty CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every order_status change, by the app, a procedure or a manual UPDATE (written by trigger, see 002).
CREATE TABLE IF NOT EXISTS order_state_history (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  from_status VARCHAR(20) NULL,
  to_status VARCHAR(20) NOT NULL,
  changed_by VARCHAR(100) NOT NULL,
  reason VARCHAR(500) NULL,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY idx_osh_order (order_id, created_at),
  CONSTRAINT fk_osh_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Outbox for order work (fulfilment, reservation expiry); published to BullMQ with id as jobId.
CREATE TABLE IF NOT EXISTS order_processing_queue (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  queue_type VARCHAR(32) NOT NULL COMMENT 'fulfillment | reservation_expiry | shipping_update',
  status ENUM('pending','processing','completed','failed') NOT NULL DEFAULT 'pending',
  priority INT NOT NULL DEFAULT 0,
  payload JSON NULL,
  attempts INT NOT NULL DEFAULT 0,
  max_attempts INT NOT NULL DEFAULT 5,
  last_error TEXT NULL,
  scheduled_at TIMESTAMP NULL DEFAULT NULL COMMENT 'run no earlier than this (delayed job)',
  published_at TIMESTAMP NULL DEFAULT NULL COMMENT 'when the job was added to BullMQ',
  started_at TIMESTAMP NULL DEFAULT NULL,
  completed_at TIMESTAMP NULL DEFAULT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY idx_opq_status_type (status, queue_type, created_at),
  KEY idx_opq_unpublished (published_at, status),
  KEY idx_opq_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS inventory_reservations (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  product_id BIGINT UNSIGNED NOT NULL,
  quantity INT NOT NULL,
  status ENUM('reserved','committed','released','expired') NOT NULL DEFAULT 'reserved',
  expires_at TIMESTAMP NULL DEFAULT NULL,
  release_reason VARCHAR(500) NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY idx_ir_order (order_id),
  KEY idx_ir_product_status (product_id, status),
  KEY idx_ir_status_expires (status, expires_at),
  CONSTRAINT fk_ir_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_ir_product FOREIGN KEY (product_id) REFERENCES products (id),
  CONSTRAINT chk_ir_qty CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS order_errors (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NULL,
  user_id BIGINT UNSIGNED NULL,
  operation VARCHAR(32) NOT NULL COMMENT 'create | confirm | cancel | expire | ...',
  error_code VARCHAR(64) NOT NULL,
  error_message TEXT NOT NULL,
  error_details JSON NULL,
  is_resolved BOOLEAN NOT NULL DEFAULT FALSE,
  resolved_at TIMESTAMP NULL DEFAULT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY idx_oe_resolved_created (is_resolved, created_at),
  KEY idx_oe_order_created (order_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Outbox for Messenger messages. recipient_psid NULL with recipient_type 'admin' means "every admin":
-- the notifications worker fans such a row out into one row per admin PSID, each sent once.
CREATE TABLE IF NOT EXISTS notification_queue (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NULL,
  parent_id BIGINT UNSIGNED NULL COMMENT 'the broadcast row this one was fanned out from',
  recipient_type ENUM('customer','admin') NOT NULL,
  recipient_psid VARCHAR(64) NULL,
  notification_type VARCHAR(64) NOT NULL COMMENT 'order_received | order_confirmed | new_order_admin | low_stock | ...',
  payload JSON NULL COMMENT 'data the message is built from',
  status ENUM('pending','processing','completed','failed') NOT NULL DEFAULT 'pending',
  attempts INT NOT NULL DEFAULT 0,
  last_error TEXT NULL,
  message_id VARCHAR(255) NULL COMMENT 'Graph message_id once sent: a second run never sends again',
  published_at TIMESTAMP NULL DEFAULT NULL,
  sent_at TIMESTAMP NULL DEFAULT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY idx_nq_status_created (status, created_at),
  KEY idx_nq_unpublished (published_at, status),
  KEY idx_nq_order (order_id),
  UNIQUE KEY uq_nq_fanout (parent_id, recipient_psid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS order_metrics (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  validation_duration_ms INT NULL,
  inventory_duration_ms INT NULL,
  db_write_duration_ms INT NULL,
  total_processing_duration_ms INT NOT NULL,
  items_count INT NOT NULL DEFAULT 0,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_order_metrics_order (order_id),
  KEY idx_order_metrics_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
