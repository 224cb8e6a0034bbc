-- 073_live_comment_dead_letters: a live-sale comment that could not be handled is never silently lost.
-- A comment whose turn failed on a bug (not retried), or kept failing on an outage past
-- TURN_OUTAGE_DEADLINE_MS, is kept here with the comment as received, so an operator can see it
-- (/metrics quicksell_live_comment_dead_letters, the operators' /readyz) and handle it again.
CREATE TABLE IF NOT EXISTS live_comment_dead_letters (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  comment_id VARCHAR(100) NOT NULL,
  post_id VARCHAR(100) NOT NULL,
  comment JSON NOT NULL COMMENT 'the feed comment as received (FeedComment)',
  reason ENUM('error','outage') NOT NULL COMMENT 'error: failed on a bug; outage: still failing past the deadline',
  error VARCHAR(500) NOT NULL,
  failing_since TIMESTAMP(3) NULL DEFAULT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  resolved_at TIMESTAMP(3) NULL DEFAULT NULL COMMENT 'set by whoever handled it again',
  UNIQUE KEY uq_live_dead_comment (comment_id),
  KEY idx_live_dead_open (resolved_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
