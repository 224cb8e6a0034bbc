-- 006_promo_usage_limit: a promo code is never used more often than its usage_limit (NULL: no limit).
-- The rule's one home: createOrder's single-round-trip transaction counts a use with a plain
-- UPDATE and this constraint refuses the one past the limit (error 4025), which stops the batch
-- before its COMMIT. It also holds against manual SQL. Safe to run twice.
ALTER TABLE promo_codes
  ADD CONSTRAINT IF NOT EXISTS chk_promo_usage CHECK (usage_limit IS NULL OR times_used <= usage_limit);
