-- 020_jobs_outbox: what the notifications worker needs to send every row at most once.
-- A row's message can have several parts (the order receipt is a receipt template and a text).
-- Before each part is sent, sending_started_at is set by a conditional UPDATE (only one attempt can own
-- the send); after Graph answers, parts_sent goes up and the message id is appended. A row whose
-- sending_started_at is old while parts are missing lost its worker mid-send: delivery is unknown, so it is
-- failed with that reason instead of sent again.
ALTER TABLE notification_queue
  ADD COLUMN parts_sent INT NOT NULL DEFAULT 0 COMMENT 'parts of the message already sent',
  ADD COLUMN sending_started_at TIMESTAMP(3) NULL DEFAULT NULL COMMENT 'a Send API call for the next part is in flight since',
  ADD COLUMN message_ids TEXT NULL COMMENT 'Graph message ids of the parts sent, space-separated';

-- The purge job deletes completed rows by age.
ALTER TABLE notification_queue ADD KEY idx_nq_status_updated (status, updated_at);
ALTER TABLE order_processing_queue ADD KEY idx_opq_status_updated (status, updated_at);
