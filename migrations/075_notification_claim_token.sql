-- 075_notification_claim_token: which batch of claims took a notification row's in-flight send.
-- The notifications worker claims the rows of the jobs running at once in ONE conditional UPDATE
-- (src/jobs/notification-batches.ts); the UPDATE's row count cannot say which rows it took, so each batch
-- writes its own random token and reads back the rows carrying it. Only meaningful while
-- sending_started_at is set (the claim is held).
ALTER TABLE notification_queue
  ADD COLUMN claim_token BIGINT UNSIGNED NULL COMMENT 'the claim batch that set sending_started_at' AFTER sending_started_at;
