-- 010_idempotency_keys: the REST API's Idempotency-Key records (owner: http).
-- One row per (scope, key): scope is the acting admin, key_hash the SHA-256 of the client's key (the
-- clear key is never stored). A row is 'in_progress' while the first request runs, then 'completed'
-- with the response that every retry gets back. request_hash tells a retry from a different request.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  scope VARCHAR(100) NOT NULL,
  key_hash CHAR(64) NOT NULL,
  request_hash CHAR(64) NOT NULL,
  owner_token CHAR(32) NOT NULL COMMENT 'which request holds an in_progress row',
  status ENUM('in_progress','completed') NOT NULL DEFAULT 'in_progress',
  response_status SMALLINT NULL,
  response_body MEDIUMTEXT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_idempotency_scope_key (scope, key_hash),
  KEY idx_idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
