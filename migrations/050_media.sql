-- 050_media: one store for every image the shop keeps (payment proofs, product photos), in the database
-- so every web and worker process sees it without a shared disk and backups include it. Content type is
-- sniffed from the bytes by the app (JPEG, PNG, WebP, GIF only). Identical bytes of one kind are stored
-- once (uq_media_kind_sha256). public_id is random (unguessable): product photos are served at
-- /media/<public_id>.<ext>; payment proofs never publicly. Safe to run twice.
CREATE TABLE IF NOT EXISTS media (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind ENUM('payment_proof','product_image') NOT NULL,
  sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  content_type VARCHAR(32) CHARACTER SET ascii NOT NULL,
  size INT UNSIGNED NOT NULL,
  bytes MEDIUMBLOB NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_media_public_id (public_id),
  UNIQUE KEY uq_media_kind_sha256 (kind, sha256),
  CONSTRAINT chk_media_size CHECK (size = LENGTH(bytes))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The order's stored proof (the attachment URL expires within days) and, when the download finally
-- failed or the file was refused, why: the order says so and the admins are told.
ALTER TABLE orders
  ADD COLUMN IF NOT EXISTS payment_proof_media_id BIGINT UNSIGNED NULL AFTER payment_proof_url,
  ADD COLUMN IF NOT EXISTS payment_proof_error VARCHAR(500) NULL AFTER payment_proof_media_id;
