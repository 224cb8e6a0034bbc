-- 041_idempotency_lease: an in-progress Idempotency-Key is a lease renewed by its running request every
-- third of IDEMPOTENCY_LEASE_MS (default 10 s). Milliseconds, so a short lease is judged exactly: a claim
-- idle longer than the lease belongs to a request that died with its process, and a retry takes it over.
ALTER TABLE idempotency_keys
  MODIFY COLUMN updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3);
