-- Caps on what one member's account may send in a currency: per transfer, and per day (count and amount), so
-- that a stolen session or a runaway script cannot empty an account or flood the books in one go. NULL: no cap.
-- Set by an admin (or, for a community currency, its issuing group's managers); amounts in minor units.
ALTER TABLE currencies
  ADD COLUMN transfer_amount_max bigint CHECK (transfer_amount_max IS NULL OR transfer_amount_max > 0),
  ADD COLUMN daily_amount_max    bigint CHECK (daily_amount_max IS NULL OR daily_amount_max > 0),
  ADD COLUMN daily_transfers_max integer CHECK (daily_transfers_max IS NULL OR daily_transfers_max > 0);

-- What a member's account has sent on its latest day of sending (UTC), kept on the account row itself: the
-- ledger holds that row locked while it decides a transfer, so concurrent transfers are counted one after the
-- other, exactly, with no extra query. A new day starts the count again.
ALTER TABLE accounts
  ADD COLUMN sent_day        date,
  ADD COLUMN sent_day_amount bigint NOT NULL DEFAULT 0 CHECK (sent_day_amount >= 0),
  ADD COLUMN sent_day_count  integer NOT NULL DEFAULT 0 CHECK (sent_day_count >= 0);
