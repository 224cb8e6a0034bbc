-- 070_notification_dedupe: an outbox row that stands for one event which may be written more than once (a
-- scheduled job's retry, or its re-run after its worker died) names that event in dedupe_key: a second
-- INSERT IGNORE adds no row, so the message is sent once. First use: the admins' daily summary,
-- 'daily-summary:<scheduled time in ms>:<psid>'. NULL (every other row) is never a duplicate.
ALTER TABLE notification_queue
  ADD COLUMN dedupe_key VARCHAR(120) NULL DEFAULT NULL COMMENT 'one row per event: see 070',
  ADD UNIQUE KEY uq_nq_dedupe (dedupe_key);
