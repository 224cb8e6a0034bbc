-- 074_live_claims_carted_event: which inbound Messenger event put a held claim into the buyer's cart.
-- A chat turn that runs again (after a crash or an outage) finds the claims its first run carted and
-- tells the buyer about them once (the reply ledger skips a message already sent), instead of losing
-- the "in your cart" message when the first run's send failed.
ALTER TABLE live_claims
  ADD COLUMN carted_event VARCHAR(255) NULL COMMENT 'the inbound event (dedupe key) whose turn put it in the cart' AFTER cart_id;
