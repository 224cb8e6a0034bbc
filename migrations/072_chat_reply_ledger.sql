-- 072_chat_reply_ledger: which chat replies a turn sent (src/bot/reply-ledger.ts), so that a turn run again
-- (after a crash, an outage, or a lost lease) never sends one twice. It lived in Redis, where a master restart
-- or failover can lose the most recent writes (and an unreachable Redis lost the mark written after a send):
-- here it is written before the send (state 'sending', owner = the run's lease token) and marked 'sent' after.
-- A reply another run is sending, or whose send's outcome is unknown, is never sent again.
CREATE TABLE IF NOT EXISTS chat_replies (
  reply_key CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY COMMENT 'sha256 of inbound event id, part, content',
  owner CHAR(36) CHARACTER SET ascii NOT NULL COMMENT 'the turn run (its lease token) that sends it',
  state ENUM('sending','sent') NOT NULL DEFAULT 'sending',
  started_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY idx_cr_started (started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
