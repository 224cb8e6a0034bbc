-- 040_notification_delivery_unknown: a notification whose send Graph may have received (a timeout after the
-- request went out, a worker that died while Graph was answering) is neither sent nor failed: 'unknown'. It is
-- never sent again automatically (the customer must not see it twice); operators see it on the dashboard and
-- in /metrics (quicksell_notifications_delivery_unknown).
-- The index serves the per-recipient ordering check: a row waits while an earlier row of the same PSID is open.
ALTER TABLE notification_queue
  MODIFY COLUMN status ENUM('pending','processing','completed','failed','unknown') NOT NULL DEFAULT 'pending',
  ADD KEY idx_nq_recipient_open (recipient_psid, status, id);
