-- 005_default_shipping_rates: default rates by province (pesos). Metro Manila is ₱100 (the seed's Test 1:
-- 2 × ₱1,000 + ₱100 = ₱2,100); '*' is the fallback for any province without its own row.
-- INSERT IGNORE: a rate the shop owner already changed is kept.
INSERT IGNORE INTO shipping_rates (province, fee, free_shipping_min) VALUES
  ('Metro Manila', 100.00, NULL),
  ('NCR', 100.00, NULL),
  ('Bulacan', 130.00, NULL),
  ('Cavite', 130.00, NULL),
  ('Laguna', 130.00, NULL),
  ('Rizal', 130.00, NULL),
  ('Cebu', 160.00, NULL),
  ('Davao del Sur', 180.00, NULL),
  ('*', 180.00, NULL);
