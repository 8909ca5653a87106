-- The time-credit ledger: double-entry accounts and append-only transfers (after TigerBeetle's model).
-- Amounts are exact integers in the currency's minor units (TIME has scale 2: 150 = 1.50 hours).

CREATE TABLE currencies (
  code                text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9]{1,11}$'),
  name                text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  scale               smallint NOT NULL CHECK (scale BETWEEN 0 AND 6),
  -- The group that issues a community currency; NULL for the platform's own (TIME).
  issuer_group_id     uuid REFERENCES entities (id),
  -- The credit line a new account gets (0 or negative, in minor units) and its optional ceiling.
  default_lower_limit bigint NOT NULL DEFAULT 0 CHECK (default_lower_limit <= 0),
  default_upper_limit bigint CHECK (default_upper_limit IS NULL OR default_upper_limit > 0),
  created_at          timestamptz NOT NULL DEFAULT now()
);

-- One hour of anyone's work is one time credit; a new member may go to -10 hours.
INSERT INTO currencies (code, name, scale, default_lower_limit) VALUES ('TIME', 'Time credits', 2, -1000);

CREATE TABLE accounts (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  currency         text NOT NULL REFERENCES currencies (code),
  owner_type       text NOT NULL CHECK (owner_type IN ('user', 'group', 'system')),
  owner_user_id    uuid REFERENCES users (id),
  owner_group_id   uuid REFERENCES entities (id),
  system_name      text,
  debits_posted    bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_posted   bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  debits_pending   bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  credits_pending  bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  -- balance = credits_posted - debits_posted; NULL limits mean unbounded (the issuance account has none below).
  lower_limit      bigint,
  upper_limit      bigint,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_owner CHECK (
    (owner_type = 'user' AND owner_user_id IS NOT NULL AND owner_group_id IS NULL AND system_name IS NULL)
    OR (owner_type = 'group' AND owner_group_id IS NOT NULL AND owner_user_id IS NULL AND system_name IS NULL)
    OR (owner_type = 'system' AND system_name IS NOT NULL AND owner_user_id IS NULL AND owner_group_id IS NULL)
  ),
  -- The last line of defence: the ledger checks these limits itself, under a row lock, before any write.
  CONSTRAINT accounts_within_lower_limit
    CHECK (lower_limit IS NULL OR credits_posted - debits_posted - debits_pending >= lower_limit),
  CONSTRAINT accounts_within_upper_limit
    CHECK (upper_limit IS NULL OR credits_posted - debits_posted + credits_pending <= upper_limit)
);
CREATE UNIQUE INDEX accounts_user_currency_key ON accounts (owner_user_id, currency) WHERE owner_type = 'user';
CREATE UNIQUE INDEX accounts_group_currency_key ON accounts (owner_group_id, currency) WHERE owner_type = 'group';
CREATE UNIQUE INDEX accounts_system_currency_key ON accounts (system_name, currency) WHERE owner_type = 'system';

-- Every currency has an issuance account: new units come from it (welcome credits, mints).
INSERT INTO accounts (currency, owner_type, system_name, lower_limit) VALUES ('TIME', 'system', 'issuance', NULL);

-- Transfers are append-only. A hold is a `pending` transfer; posting or voiding it is another transfer that
-- points at it (pending_id), and the unique index on pending_id lets each hold be resolved exactly once.
CREATE TABLE transfers (
  id                   uuid PRIMARY KEY,
  seq                  bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  type                 text NOT NULL CHECK (type IN ('posted', 'pending', 'post_pending', 'void_pending')),
  debit_account_id     uuid NOT NULL REFERENCES accounts (id),
  credit_account_id    uuid NOT NULL REFERENCES accounts (id),
  amount               bigint NOT NULL CHECK (amount > 0 AND amount <= 1000000000000000),
  currency             text NOT NULL REFERENCES currencies (code),
  pending_id           uuid REFERENCES transfers (id),
  reversal_of          uuid REFERENCES transfers (id),
  expires_at           timestamptz,
  memo                 text NOT NULL DEFAULT '' CHECK (char_length(memo) <= 500),
  entity_id            uuid REFERENCES entities (id),
  created_by           uuid REFERENCES users (id),
  created_at           timestamptz NOT NULL DEFAULT now(),
  -- Posted balances of both accounts right after this transfer: statements show a running balance without
  -- summing history, and the audit checks them.
  debit_balance_after  bigint NOT NULL,
  credit_balance_after bigint NOT NULL,
  CONSTRAINT transfers_accounts_differ CHECK (debit_account_id <> credit_account_id),
  CONSTRAINT transfers_resolution CHECK ((type IN ('post_pending', 'void_pending')) = (pending_id IS NOT NULL)),
  CONSTRAINT transfers_expiry CHECK (expires_at IS NULL OR type = 'pending')
);
CREATE UNIQUE INDEX transfers_pending_id_key ON transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE UNIQUE INDEX transfers_reversal_of_key ON transfers (reversal_of) WHERE reversal_of IS NOT NULL;
CREATE INDEX transfers_debit_idx ON transfers (debit_account_id, seq);
CREATE INDEX transfers_credit_idx ON transfers (credit_account_id, seq);
CREATE INDEX transfers_open_holds_idx ON transfers (expires_at) WHERE type = 'pending' AND expires_at IS NOT NULL;

-- Idempotency: what each client-chosen key was asked and answered, including refusals, so that a retry gets
-- the same answer and the same key with another request is recognised.
CREATE TABLE transfer_requests (
  id           uuid PRIMARY KEY,
  request_hash text NOT NULL,
  outcome      text NOT NULL,
  detail       text NOT NULL DEFAULT '',
  created_by   uuid REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Exchanges on the map: one member gives a service to another for time credits, held until confirmed.
CREATE TABLE exchanges (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  entity_id     uuid NOT NULL REFERENCES entities (id),
  provider_id   uuid NOT NULL REFERENCES users (id),
  receiver_id   uuid NOT NULL REFERENCES users (id),
  hold_id       uuid NOT NULL UNIQUE REFERENCES transfers (id),
  created_by    uuid NOT NULL REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT exchanges_parties_differ CHECK (provider_id <> receiver_id)
);
CREATE INDEX exchanges_provider_idx ON exchanges (provider_id, created_at);
CREATE INDEX exchanges_receiver_idx ON exchanges (receiver_id, created_at);

-- Every member has a TIME account from the moment the account exists, with the currency's credit line.
CREATE FUNCTION quartiere_open_time_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO accounts (currency, owner_type, owner_user_id, lower_limit, upper_limit)
  SELECT code, 'user', NEW.id, default_lower_limit, default_upper_limit FROM currencies WHERE code = 'TIME';
  RETURN NEW;
END $$;
CREATE TRIGGER users_open_time_account AFTER INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION quartiere_open_time_account();
INSERT INTO accounts (currency, owner_type, owner_user_id, lower_limit, upper_limit)
  SELECT c.code, 'user', u.id, c.default_lower_limit, c.default_upper_limit
  FROM users u CROSS JOIN currencies c WHERE c.code = 'TIME';

-- The ledger's invariants as one query: it returns a row per violation, so an empty result means the books
-- balance. Tests run it after every scenario; operators can run it any time.
CREATE FUNCTION ledger_audit() RETURNS TABLE (violation text, detail text) LANGUAGE sql STABLE AS $$
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
$$;
