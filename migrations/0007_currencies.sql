-- Quartiere: community currencies issued by groups (coins and coupons) and crowdfunding campaigns ("piggy
-- banks") on the double-entry ledger. Frozen once landed. Runs on PostgreSQL 15 + PostGIS 3 and on PGlite.
--
-- A community currency is a row of `currencies` with an issuing group. Its issuance account (a system account,
-- as TIME has) is where new units come from: minting debits it, redeeming a coupon credits it back. So the
-- issuance account's balance is minus the supply, and a hard cap on supply is the issuance account's lower
-- limit (-cap): the ledger checks it under the account's row lock in the same transaction as the mint, like
-- any other credit line, and concurrent mints queue on that lock.

-- The SHA-256 of a text's UTF-8 bytes, in hex. convert_to is only STABLE (it depends on the encoding named);
-- with the encoding fixed to UTF-8 the result never changes, which a generated column needs declared.
CREATE FUNCTION quartiere_sha256_hex(input text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT encode(sha256(convert_to(input, 'UTF8')), 'hex') $$;

ALTER TABLE currencies
  ADD COLUMN kind text NOT NULL DEFAULT 'time' CHECK (kind IN ('time', 'coin', 'coupon')),
  ADD COLUMN description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
  -- The terms document the issuer promises by (what a coupon is good for, who accepts a coin). It never changes
  -- once issued: holders accepted the currency under it. Its SHA-256 is computed by the database.
  ADD COLUMN terms text NOT NULL DEFAULT '' CHECK (char_length(terms) <= 100000),
  ADD COLUMN terms_sha256 text GENERATED ALWAYS AS (quartiere_sha256_hex(terms)) STORED,
  -- In minor units; NULL: no cap. Fixed at creation ("hard").
  ADD COLUMN supply_cap bigint CHECK (supply_cap IS NULL OR supply_cap BETWEEN 1 AND 1000000000000000),
  ADD COLUMN logo_url text CHECK (logo_url IS NULL OR (char_length(logo_url) <= 2000 AND logo_url ~ '^(https://|/)')),
  ADD COLUMN created_by uuid REFERENCES users (id);
ALTER TABLE currencies ADD CONSTRAINT currencies_coupon_whole CHECK (kind <> 'coupon' OR scale = 0);
-- Only the platform's own currency has no issuer; every community currency has one.
ALTER TABLE currencies ADD CONSTRAINT currencies_issuer CHECK ((kind = 'time') = (issuer_group_id IS NULL));
-- A credit line lets holders pay with units nobody minted: with a hard cap, that would break the cap.
ALTER TABLE currencies ADD CONSTRAINT currencies_cap_without_credit
  CHECK (supply_cap IS NULL OR default_lower_limit = 0);
CREATE INDEX currencies_issuer_idx ON currencies (issuer_group_id) WHERE issuer_group_id IS NOT NULL;

-- Piggy banks: a member or a group collects one currency (accepted) and gives back another, at a fixed ratio,
-- for a place or project on the map. Pledges are holds from the backers into the campaign's escrow account
-- (upper limit = cap, so the ledger itself refuses any pledge past it); what the campaign gives back waits in
-- its reserve account, deposited by the owner before the campaign opens.
CREATE TABLE campaigns (
  id                      uuid PRIMARY KEY,
  entity_id               uuid NOT NULL REFERENCES entities (id),
  owner_type              text NOT NULL CHECK (owner_type IN ('user', 'group')),
  owner_user_id           uuid REFERENCES users (id),
  owner_group_id          uuid REFERENCES entities (id),
  title                   text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description             text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
  accept_currency         text NOT NULL REFERENCES currencies (code),
  give_currency           text NOT NULL REFERENCES currencies (code),
  -- The ratio accept:give as one step in each currency's minor units: pledges are whole steps.
  accept_step             bigint NOT NULL CHECK (accept_step > 0),
  give_step               bigint NOT NULL CHECK (give_step > 0),
  cap                     bigint NOT NULL CHECK (cap > 0 AND cap % accept_step = 0),
  goal                    bigint NOT NULL CHECK (goal > 0 AND goal <= cap AND goal % accept_step = 0),
  -- What the owner deposits of the given currency before the campaign opens: cap / accept_step * give_step.
  deposit                 bigint NOT NULL CHECK (deposit > 0 AND deposit <= 1000000000000000),
  starts_at               timestamptz NOT NULL,
  ends_at                 timestamptz NOT NULL,
  state                   text NOT NULL DEFAULT 'locked'
                          CHECK (state IN ('locked', 'open', 'funded', 'stopped', 'failed')),
  escrow_account_id       uuid NOT NULL UNIQUE REFERENCES accounts (id),
  reserve_account_id      uuid NOT NULL UNIQUE REFERENCES accounts (id),
  owner_accept_account_id uuid NOT NULL REFERENCES accounts (id),
  owner_give_account_id   uuid NOT NULL REFERENCES accounts (id),
  deposit_transfer_id     uuid REFERENCES transfers (id),
  created_by              uuid NOT NULL REFERENCES users (id),
  created_at              timestamptz NOT NULL DEFAULT now(),
  settled_at              timestamptz,
  CONSTRAINT campaigns_currencies_differ CHECK (accept_currency <> give_currency),
  CONSTRAINT campaigns_window CHECK (starts_at < ends_at),
  CONSTRAINT campaigns_deposit CHECK (deposit = cap / accept_step * give_step),
  CONSTRAINT campaigns_owner CHECK (
    (owner_type = 'user' AND owner_user_id IS NOT NULL AND owner_group_id IS NULL)
    OR (owner_type = 'group' AND owner_group_id IS NOT NULL AND owner_user_id IS NULL)
  ),
  -- The owner's deposit is what opens a campaign: an open or funded one has it, a locked one not yet.
  CONSTRAINT campaigns_opened_by_deposit CHECK (state NOT IN ('open', 'funded') OR deposit_transfer_id IS NOT NULL),
  CONSTRAINT campaigns_locked_without_deposit CHECK (state <> 'locked' OR deposit_transfer_id IS NULL),
  CONSTRAINT campaigns_settled CHECK ((state IN ('funded', 'stopped', 'failed')) = (settled_at IS NOT NULL))
);
CREATE INDEX campaigns_entity_idx ON campaigns (entity_id, created_at DESC, id DESC);
CREATE INDEX campaigns_list_idx ON campaigns (created_at DESC, id DESC);
-- The sweeper finds campaigns whose end passed unsettled.
CREATE INDEX campaigns_due_idx ON campaigns (ends_at) WHERE state IN ('locked', 'open');
CREATE INDEX campaigns_owner_user_idx ON campaigns (owner_user_id) WHERE owner_user_id IS NOT NULL;
CREATE INDEX campaigns_owner_group_idx ON campaigns (owner_group_id) WHERE owner_group_id IS NOT NULL;

-- One pledge is one hold (its id is the hold's id, the backer's idempotency key). `requested` is what the
-- backer asked; `amount` what was held after cutting it to what was left under the cap. `seq` is pledge order,
-- which breaks ties when a payout's remainder is shared out.
CREATE TABLE campaign_pledges (
  id                 uuid PRIMARY KEY REFERENCES transfers (id),
  seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  campaign_id        uuid NOT NULL REFERENCES campaigns (id),
  backer_id          uuid NOT NULL REFERENCES users (id),
  account_id         uuid NOT NULL REFERENCES accounts (id),
  requested          bigint NOT NULL CHECK (requested > 0),
  amount             bigint NOT NULL CHECK (amount > 0 AND amount <= requested),
  payout_transfer_id uuid UNIQUE REFERENCES transfers (id),
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaign_pledges_campaign_idx ON campaign_pledges (campaign_id, seq);
CREATE INDEX campaign_pledges_backer_idx ON campaign_pledges (backer_id, seq);

-- The ledger's invariants, now over every currency and every campaign: the checks of 0002 unchanged, then the
-- supply of each community currency against its cap, and each campaign's books against its pledges.
CREATE OR REPLACE FUNCTION ledger_audit() RETURNS TABLE (violation text, detail text) LANGUAGE sql STABLE AS $$
  -- Per currency, posted debits equal posted credits, and pending likewise.
  SELECT 'unbalanced_currency', currency || ': debits ' || sum(debits_posted) || ' credits ' || sum(credits_posted)
    || ' pending debits ' || sum(debits_pending) || ' pending credits ' || sum(credits_pending)
  FROM accounts GROUP BY currency
  HAVING sum(debits_posted) <> sum(credits_posted) OR sum(debits_pending) <> sum(credits_pending)
  UNION ALL
  -- Each account's cached totals equal the sums of its transfers.
  SELECT 'account_totals_mismatch', a.id::text
  FROM accounts a
  LEFT JOIN LATERAL (
    SELECT
      coalesce(sum(CASE WHEN t.debit_account_id = a.id AND t.type IN ('posted', 'post_pending') THEN t.amount END), 0) AS dp,
      coalesce(sum(CASE WHEN t.credit_account_id = a.id AND t.type IN ('posted', 'post_pending') THEN t.amount END), 0) AS cp,
      coalesce(sum(CASE WHEN t.debit_account_id = a.id AND t.type = 'pending' AND r.id IS NULL THEN t.amount END), 0) AS dpe,
      coalesce(sum(CASE WHEN t.credit_account_id = a.id AND t.type = 'pending' AND r.id IS NULL THEN t.amount END), 0) AS cpe
    FROM transfers t
    LEFT JOIN transfers r ON r.pending_id = t.id
    WHERE t.debit_account_id = a.id OR t.credit_account_id = a.id
  ) s ON true
  WHERE a.debits_posted <> s.dp OR a.credits_posted <> s.cp OR a.debits_pending <> s.dpe OR a.credits_pending <> s.cpe
  UNION ALL
  -- No account outside its limits.
  SELECT 'account_outside_limits', id::text FROM accounts
  WHERE (lower_limit IS NOT NULL AND credits_posted - debits_posted - debits_pending < lower_limit)
     OR (upper_limit IS NOT NULL AND credits_posted - debits_posted + credits_pending > upper_limit)
  UNION ALL
  -- A resolution points at a pending transfer with the same accounts, and posts no more than was held.
  SELECT 'bad_resolution', r.id::text FROM transfers r JOIN transfers p ON p.id = r.pending_id
  WHERE p.type <> 'pending' OR r.debit_account_id <> p.debit_account_id OR r.credit_account_id <> p.credit_account_id
     OR r.amount > p.amount
  UNION ALL
  -- Both sides of a transfer are in its currency.
  SELECT 'currency_mismatch', t.id::text FROM transfers t
  JOIN accounts d ON d.id = t.debit_account_id JOIN accounts c ON c.id = t.credit_account_id
  WHERE d.currency <> t.currency OR c.currency <> t.currency
  UNION ALL
  -- Every community currency has exactly one issuance account, and its lower limit is minus the cap.
  SELECT 'issuance_account_mismatch', c.code FROM currencies c
  LEFT JOIN accounts i ON i.currency = c.code AND i.owner_type = 'system' AND i.system_name = 'issuance'
  WHERE c.kind <> 'time'
    AND (i.id IS NULL OR i.lower_limit IS DISTINCT FROM -c.supply_cap OR i.upper_limit IS NOT NULL)
  UNION ALL
  -- The supply (minted, less redeemed, counting mints still pending) never passes the cap.
  SELECT 'supply_over_cap', c.code || ': supply ' || (i.debits_posted + i.debits_pending - i.credits_posted)
    || ' cap ' || c.supply_cap
  FROM currencies c
  JOIN accounts i ON i.currency = c.code AND i.owner_type = 'system' AND i.system_name = 'issuance'
  WHERE c.supply_cap IS NOT NULL AND i.debits_posted + i.debits_pending - i.credits_posted > c.supply_cap
  UNION ALL
  -- Holders of a capped currency cannot go below zero: a credit line there would create units past the cap.
  SELECT 'credit_line_under_cap', a.id::text FROM accounts a JOIN currencies c ON c.code = a.currency
  WHERE c.supply_cap IS NOT NULL AND a.owner_type <> 'system' AND (a.lower_limit IS NULL OR a.lower_limit < 0)
  UNION ALL
  -- A campaign's escrow holds exactly its live pledges (held or posted), never more than the cap.
  SELECT 'campaign_escrow_mismatch', k.id::text
  FROM campaigns k
  JOIN accounts e ON e.id = k.escrow_account_id
  LEFT JOIN LATERAL (
    SELECT coalesce(sum(p.amount) FILTER (WHERE r.type IS NULL), 0) AS held,
           coalesce(sum(r.amount) FILTER (WHERE r.type = 'post_pending'), 0) AS posted,
           count(*) FILTER (WHERE p.amount <> h.amount OR h.credit_account_id <> k.escrow_account_id
                            OR h.type <> 'pending') AS malformed
    FROM campaign_pledges p
    JOIN transfers h ON h.id = p.id
    LEFT JOIN transfers r ON r.pending_id = p.id
    WHERE p.campaign_id = k.id
  ) s ON true
  WHERE e.credits_pending <> s.held OR e.credits_posted <> s.posted OR s.malformed > 0
     OR e.credits_posted + e.credits_pending > k.cap OR e.upper_limit IS DISTINCT FROM k.cap
  UNION ALL
  -- A settled campaign left no pledge unresolved and nothing in its escrow or reserve; a stopped or failed one
  -- posted no pledge; a funded one raised at least its goal and paid each posted pledge exactly its share.
  SELECT 'campaign_settlement_mismatch', k.id::text
  FROM campaigns k
  JOIN accounts e ON e.id = k.escrow_account_id
  JOIN accounts v ON v.id = k.reserve_account_id
  LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE r.id IS NULL) AS open,
           coalesce(sum(p.amount) FILTER (WHERE r.type = 'post_pending'), 0) AS raised,
           count(*) FILTER (WHERE r.type = 'post_pending' AND (o.id IS NULL OR o.amount <> p.amount / k.accept_step * k.give_step
                                                                OR o.debit_account_id <> k.reserve_account_id)) AS bad_payouts,
           count(*) FILTER (WHERE r.type <> 'post_pending' AND p.payout_transfer_id IS NOT NULL) AS stray_payouts
    FROM campaign_pledges p
    LEFT JOIN transfers r ON r.pending_id = p.id
    LEFT JOIN transfers o ON o.id = p.payout_transfer_id
    WHERE p.campaign_id = k.id
  ) s ON true
  WHERE k.state IN ('funded', 'stopped', 'failed')
    AND (s.open > 0 OR s.stray_payouts > 0
         OR e.credits_posted <> e.debits_posted OR e.credits_pending <> 0
         OR v.credits_posted <> v.debits_posted OR v.debits_pending <> 0
         OR (k.state = 'funded' AND (s.raised < k.goal OR s.bad_payouts > 0))
         OR (k.state <> 'funded' AND s.raised <> 0))
  UNION ALL
  -- A campaign still running holds the full deposit in its reserve once opened, and nothing before.
  SELECT 'campaign_reserve_mismatch', k.id::text
  FROM campaigns k JOIN accounts v ON v.id = k.reserve_account_id
  WHERE k.state IN ('locked', 'open')
    AND v.credits_posted - v.debits_posted <> CASE WHEN k.state = 'open' THEN k.deposit ELSE 0 END
$$;
