-- 0001_init: every table of the desk's first schema (DESIGN.md, "Database").
--
-- Immutable once merged: the migration runner refuses to run when this file's
-- sha256 differs from the ledger (D4). Changes go into 0002_… and later.
--
-- House rules kept here:
--  * D1: every enum-like text column has a named CHECK (<table>_<column>_check),
--    so a later migration can DROP/ADD it by name to extend the list. Postgres tests
--    CHECKs in name order, so a multi-column CHECK that involves an enum column is
--    named to sort after that column's own (runs_status_ended_check): a bad value
--    is then reported by the constraint that names its column.
--  * D3: intent_id, client_order_id, broker_order_id and broker_message_id are UNIQUE
--    wherever they identify a row.
--  * Money is BIGINT micros (1 USD = 1,000,000), quantities BIGINT whole shares.
--    No numeric, real or double precision anywhere.
--  * Identity formats mirror the validators of @mqk/core (asIntentId, asClientOrderId,
--    asBrokerOrderId, asBrokerMessageId, asRunId, asStrategyId, asTicker).
--  * PostgreSQL 15 is the oldest supported server: nothing here needs 16+.
--  * Order vocabulary copied from the broker wire (side, type, time_in_force, order
--    status, trade_updates events) stays lower-case as Alpaca spells it; our own state
--    machines (outbox, runs, arm, deadman, reconcile, audit) are upper-case; risk uses
--    active | reducing | halted as STYLE.md names the kill-switch states.
--
-- The migration runner wraps this file in one transaction: no BEGIN/COMMIT here.

-- ───────────────────────────────────────────────────────────── runs
-- One row per process run of the runtime or one backtest. Rows are never deleted:
-- outbox rows, reconcile records and promotions point at the run that made them.
CREATE TABLE runs (
  id            text        PRIMARY KEY
                CONSTRAINT runs_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
  mode          text        NOT NULL
                CONSTRAINT runs_mode_check CHECK (mode IN ('BACKTEST', 'PAPER', 'LIVE')),
  status        text        NOT NULL DEFAULT 'STARTING'
                CONSTRAINT runs_status_check CHECK (status IN ('STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'COMPLETED', 'FAILED', 'ABORTED')),
  config_hash   text        NOT NULL
                CONSTRAINT runs_config_hash_check CHECK (config_hash ~ '^[0-9a-f]{64}$'),
  -- The broker the config named (sim, alpaca, engine…): a name, not an enum, so a new
  -- adapter needs no migration.
  broker        text        NULL
                CONSTRAINT runs_broker_check CHECK (broker ~ '^[a-z][a-z0-9_-]{0,31}$'),
  strategy_id   text        NULL
                CONSTRAINT runs_strategy_id_check CHECK (strategy_id ~ '^[a-z][a-z0-9_-]{0,63}$'),
  -- X3: the hash of a run's artifacts (backtests); promotion binds to it.
  artifact_hash text        NULL
                CONSTRAINT runs_artifact_hash_check CHECK (artifact_hash ~ '^[0-9a-f]{64}$'),
  error         text        NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz NULL,
  CONSTRAINT runs_status_ended_check CHECK ((status IN ('STARTING', 'RUNNING', 'STOPPING')) = (ended_at IS NULL))
);

-- ───────────────────────────────────────────────────────────── reconcile_runs
-- One record per reconcile: CLEAN or DIRTY with the full diff, or REJECTED when the
-- snapshot was refused (B2: watermark not newer than the last accepted one). Only a
-- record whose evidence_hash the integrity package recomputes can arm (B1): a row
-- typed in by hand saying CLEAN proves nothing.
CREATE TABLE reconcile_runs (
  id                  bigserial   PRIMARY KEY,
  account             text        NOT NULL
                      CONSTRAINT reconcile_runs_account_check CHECK (char_length(account) BETWEEN 1 AND 128),
  run_id              text        NULL REFERENCES runs (id),
  result              text        NOT NULL
                      CONSTRAINT reconcile_runs_result_check CHECK (result IN ('CLEAN', 'DIRTY', 'REJECTED')),
  -- Watermark (B2): broker-side time in epoch NANOseconds (Alpaca stamps carry nanoseconds,
  -- timestamptz keeps only micro) plus the last applied inbox seq. Compared as a pair.
  watermark_broker_ns bigint      NOT NULL
                      CONSTRAINT reconcile_runs_watermark_broker_ns_check CHECK (watermark_broker_ns >= 0),
  watermark_inbox_seq bigint      NOT NULL
                      CONSTRAINT reconcile_runs_watermark_inbox_seq_check CHECK (watermark_inbox_seq >= 0),
  snapshot_digest     text        NOT NULL
                      CONSTRAINT reconcile_runs_snapshot_digest_check CHECK (snapshot_digest ~ '^[0-9a-f]{64}$'),
  local_digest        text        NOT NULL
                      CONSTRAINT reconcile_runs_local_digest_check CHECK (local_digest ~ '^[0-9a-f]{64}$'),
  -- sha256 over (watermark, snapshot digest, local-state digest, result).
  evidence_hash       text        NOT NULL UNIQUE
                      CONSTRAINT reconcile_runs_evidence_hash_check CHECK (evidence_hash ~ '^[0-9a-f]{64}$'),
  -- The full diff; amounts inside are decimal strings of micros (JSON has no bigint).
  diff                jsonb       NOT NULL DEFAULT '[]',
  started_at          timestamptz NOT NULL,
  finished_at         timestamptz NOT NULL,
  CONSTRAINT reconcile_runs_times_check CHECK (finished_at >= started_at)
);
-- The gate reads "the latest record of this account"; B2 reads the latest accepted one.
CREATE INDEX reconcile_runs_account_latest_idx ON reconcile_runs (account, id DESC);

-- ───────────────────────────────────────────────────────────── arm_state
-- Exactly one row (id is always true). C1: boot writes DISARMED whatever is here.
-- ARMED needs the reconcile record it was armed on (B1), enforced here as well.
CREATE TABLE arm_state (
  id               boolean     PRIMARY KEY DEFAULT true
                   CONSTRAINT arm_state_single_row_check CHECK (id),
  state            text        NOT NULL
                   CONSTRAINT arm_state_state_check CHECK (state IN ('ARMED', 'DISARMED')),
  reason_kind      text        NOT NULL
                   CONSTRAINT arm_state_reason_kind_check CHECK (reason_kind IN (
                     'INITIAL', 'BOOT', 'OPERATOR_ARM', 'OPERATOR_DISARM', 'RECONCILE_DIRTY', 'RECONCILE_STALE',
                     'STALE_FEED', 'DATA_GAP', 'DEADMAN', 'RISK_HALTED', 'INTEGRITY_FAULT')),
  reason           text        NOT NULL,
  reconcile_run_id bigint      NULL REFERENCES reconcile_runs (id),
  run_id           text        NULL REFERENCES runs (id),
  changed_by       text        NOT NULL DEFAULT 'system',
  changed_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT arm_state_evidence_check CHECK (state <> 'ARMED' OR reconcile_run_id IS NOT NULL)
);
INSERT INTO arm_state (state, reason_kind, reason) VALUES ('DISARMED', 'INITIAL', 'created by migration 0001');

-- ───────────────────────────────────────────────────────────── deadman
-- Exactly one row. C2: TRIPPED survives restarts until an explicit recover.
CREATE TABLE deadman (
  id               boolean     PRIMARY KEY DEFAULT true
                   CONSTRAINT deadman_single_row_check CHECK (id),
  state            text        NOT NULL
                   CONSTRAINT deadman_state_check CHECK (state IN ('CLEAR', 'TRIPPED')),
  last_beat_at     timestamptz NULL,
  -- The deadline the last beat promised; a tripper compares now() with it.
  deadline_at      timestamptz NULL,
  tripped_at       timestamptz NULL,
  reason           text        NULL,
  recovered_at     timestamptz NULL,
  recovered_by     text        NULL,
  changed_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT deadman_tripped_check CHECK (state <> 'TRIPPED' OR (tripped_at IS NOT NULL AND reason IS NOT NULL))
);
INSERT INTO deadman (state) VALUES ('CLEAR');

-- ───────────────────────────────────────────────────────────── risk_state
-- Exactly one row: the kill switch as a state (STYLE.md): active | reducing | halted.
-- R3: a halt is sticky; only an operator action moves halted back.
CREATE TABLE risk_state (
  id                      boolean     PRIMARY KEY DEFAULT true
                          CONSTRAINT risk_state_single_row_check CHECK (id),
  state                   text        NOT NULL
                          CONSTRAINT risk_state_state_check CHECK (state IN ('active', 'reducing', 'halted')),
  reason                  text        NOT NULL,
  -- The numbers that caused the last change (limit, value…), amounts as decimal strings of micros.
  detail                  jsonb       NOT NULL DEFAULT '{}',
  -- Daily counters (R3), reset when trading_day changes.
  trading_day             date        NULL,
  day_start_equity_micros bigint      NULL,
  day_realized_pnl_micros bigint      NOT NULL DEFAULT 0,
  orders_today            integer     NOT NULL DEFAULT 0
                          CONSTRAINT risk_state_orders_today_check CHECK (orders_today >= 0),
  halted_at               timestamptz NULL,
  changed_by              text        NOT NULL DEFAULT 'system',
  changed_at              timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT risk_state_halted_check CHECK (state <> 'halted' OR halted_at IS NOT NULL)
);
INSERT INTO risk_state (state, reason) VALUES ('active', 'created by migration 0001');

-- ───────────────────────────────────────────────────────────── outbox
-- A3: the broker is only called for a row here that a dispatcher claimed
-- (FOR UPDATE SKIP LOCKED) inside the transaction that also read the gates.
-- SUBMIT and REPLACE carry a new client_order_id; CANCEL names its target instead.
CREATE TABLE outbox (
  id                     bigserial   PRIMARY KEY,
  intent_id              text        NOT NULL UNIQUE
                         CONSTRAINT outbox_intent_id_check CHECK (intent_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
  client_order_id        text        NULL UNIQUE
                         CONSTRAINT outbox_client_order_id_check CHECK (client_order_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$'),
  kind                   text        NOT NULL
                         CONSTRAINT outbox_kind_check CHECK (kind IN ('SUBMIT', 'CANCEL', 'REPLACE')),
  status                 text        NOT NULL DEFAULT 'PENDING'
                         CONSTRAINT outbox_status_check CHECK (status IN (
                           'PENDING',    -- waiting for a claim (and for its gates)
                           'CLAIMED',    -- leased by a dispatcher; a broker call may be in flight
                           'AMBIGUOUS',  -- the call's outcome is unknown: resolve by lookup, never resend blindly
                           'SENT',       -- the broker accepted it; order_map has the broker id
                           'ACKED',      -- the broker's own event confirmed it
                           'REJECTED',   -- a definite rejection (broker 403/422, or risk at dispatch)
                           'FAILED',     -- given up after attempts; needs an operator
                           'CANCELLED')),-- withdrawn before it reached the broker
  account                text        NOT NULL
                         CONSTRAINT outbox_account_check CHECK (char_length(account) BETWEEN 1 AND 128),
  -- Operator actions from the CLI (cancel-all) have no run.
  run_id                 text        NULL REFERENCES runs (id),
  strategy_id            text        NULL
                         CONSTRAINT outbox_strategy_id_check CHECK (strategy_id ~ '^[a-z][a-z0-9_-]{0,63}$'),
  -- CANCEL/REPLACE: the order acted on, resolved to a broker id through order_map (A4).
  target_client_order_id text        NULL
                         CONSTRAINT outbox_target_client_order_id_check CHECK (target_client_order_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$'),
  symbol                 text        NULL
                         CONSTRAINT outbox_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]{0,11}$'),
  side                   text        NULL
                         CONSTRAINT outbox_side_check CHECK (side IN ('buy', 'sell')),
  order_type             text        NULL
                         CONSTRAINT outbox_order_type_check CHECK (order_type IN ('market', 'limit', 'stop', 'stop_limit')),
  time_in_force          text        NULL
                         CONSTRAINT outbox_time_in_force_check CHECK (time_in_force IN ('day', 'gtc', 'opg', 'cls', 'ioc', 'fok')),
  qty_shares             bigint      NULL
                         CONSTRAINT outbox_qty_shares_check CHECK (qty_shares > 0),
  limit_price_micros     bigint      NULL
                         CONSTRAINT outbox_limit_price_micros_check CHECK (limit_price_micros > 0),
  stop_price_micros      bigint      NULL
                         CONSTRAINT outbox_stop_price_micros_check CHECK (stop_price_micros > 0),
  -- The decision that produced the intent and anything else the dispatcher needs;
  -- amounts inside are decimal strings of micros.
  payload                jsonb       NOT NULL DEFAULT '{}',
  claimed_by             text        NULL,
  claimed_at             timestamptz NULL,
  lease_expires_at       timestamptz NULL,
  attempts               integer     NOT NULL DEFAULT 0
                         CONSTRAINT outbox_attempts_check CHECK (attempts >= 0),
  -- Backoff: a row is not claimed before this instant.
  next_attempt_at        timestamptz NOT NULL DEFAULT now(),
  last_error             text        NULL,
  reject_reason          text        NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  sent_at                timestamptz NULL,
  CONSTRAINT outbox_kind_shape_check CHECK (CASE kind
    WHEN 'SUBMIT'  THEN client_order_id IS NOT NULL AND target_client_order_id IS NULL
                        AND symbol IS NOT NULL AND side IS NOT NULL AND order_type IS NOT NULL
                        AND time_in_force IS NOT NULL AND qty_shares IS NOT NULL
    WHEN 'REPLACE' THEN client_order_id IS NOT NULL AND target_client_order_id IS NOT NULL
    WHEN 'CANCEL'  THEN client_order_id IS NULL AND target_client_order_id IS NOT NULL
  END),
  CONSTRAINT outbox_order_type_limit_price_check CHECK (
    order_type IS NULL OR (order_type IN ('limit', 'stop_limit')) = (limit_price_micros IS NOT NULL)),
  CONSTRAINT outbox_order_type_stop_price_check CHECK (
    order_type IS NULL OR (order_type IN ('stop', 'stop_limit')) = (stop_price_micros IS NOT NULL)),
  CONSTRAINT outbox_claim_check CHECK (status <> 'CLAIMED' OR (claimed_by IS NOT NULL AND lease_expires_at IS NOT NULL))
);
-- The dispatcher's claim scan touches only live rows.
CREATE INDEX outbox_claimable_idx ON outbox (next_attempt_at, id) WHERE status IN ('PENDING', 'CLAIMED', 'AMBIGUOUS');

-- ───────────────────────────────────────────────────────────── order_map
-- A4: intent_id ↔ client_order_id ↔ broker_order_id, written the moment each is learned.
CREATE TABLE order_map (
  intent_id                text        PRIMARY KEY REFERENCES outbox (intent_id),
  client_order_id          text        NOT NULL UNIQUE
                           CONSTRAINT order_map_client_order_id_check CHECK (client_order_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$'),
  broker_order_id          text        NULL UNIQUE
                           CONSTRAINT order_map_broker_order_id_check CHECK (broker_order_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
  -- REPLACE: the order this one replaced.
  replaces_client_order_id text        NULL
                           CONSTRAINT order_map_replaces_client_order_id_check CHECK (replaces_client_order_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$'),
  created_at               timestamptz NOT NULL DEFAULT now(),
  broker_order_id_at       timestamptz NULL,
  CONSTRAINT order_map_broker_order_id_at_check CHECK ((broker_order_id IS NULL) = (broker_order_id_at IS NULL))
);

-- ───────────────────────────────────────────────────────────── inbox
-- D2: every broker event, inserted under a unique broker_message_id and applied in the
-- same transaction; a duplicate inserts nothing and so applies nothing. seq is the
-- local order of arrival and the inbox half of the reconcile watermark.
CREATE TABLE inbox (
  seq                 bigserial   PRIMARY KEY,
  broker_message_id   text        NOT NULL UNIQUE
                      -- (not '^\S{1,256}$': Postgres regex bounds stop at 255)
                      CONSTRAINT inbox_broker_message_id_check CHECK (char_length(broker_message_id) BETWEEN 1 AND 256 AND broker_message_id !~ '\s'),
  account             text        NOT NULL
                      CONSTRAINT inbox_account_check CHECK (char_length(account) BETWEEN 1 AND 128),
  -- The trade_updates event name (API-BRIEF §1.10); REST backfills synthesise the same.
  kind                text        NOT NULL
                      CONSTRAINT inbox_kind_check CHECK (kind IN (
                        'new', 'fill', 'partial_fill', 'canceled', 'expired', 'done_for_day', 'replaced',
                        'rejected', 'pending_new', 'stopped', 'pending_cancel', 'pending_replace', 'calculated',
                        'suspended', 'order_replace_rejected', 'order_cancel_rejected')),
  source              text        NOT NULL
                      CONSTRAINT inbox_source_check CHECK (source IN ('stream', 'rest_backfill', 'sim')),
  -- Not unique: many events per order; and events for orders we never placed are kept too.
  broker_order_id     text        NULL
                      CONSTRAINT inbox_broker_order_id_check CHECK (broker_order_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
  client_order_id     text        NULL
                      CONSTRAINT inbox_client_order_id_check CHECK (char_length(client_order_id) BETWEEN 1 AND 128),
  -- Fills only: this execution (not the cumulative fill).
  execution_id        text        NULL
                      CONSTRAINT inbox_execution_id_check CHECK (char_length(execution_id) BETWEEN 1 AND 128),
  fill_qty_shares     bigint      NULL
                      CONSTRAINT inbox_fill_qty_shares_check CHECK (fill_qty_shares > 0),
  fill_price_micros   bigint      NULL
                      CONSTRAINT inbox_fill_price_micros_check CHECK (fill_price_micros > 0),
  position_qty_shares bigint      NULL,
  -- The broker's own time of the event, epoch nanoseconds (exact; see reconcile_runs).
  event_ns            bigint      NULL
                      CONSTRAINT inbox_event_ns_check CHECK (event_ns >= 0),
  payload             jsonb       NOT NULL,
  received_at         timestamptz NOT NULL DEFAULT now(),
  applied_at          timestamptz NULL,
  CONSTRAINT inbox_fill_shape_check CHECK (
    (kind IN ('fill', 'partial_fill')) = (execution_id IS NOT NULL AND fill_qty_shares IS NOT NULL AND fill_price_micros IS NOT NULL))
);
-- D2 belt and braces: one execution can never be recorded twice, even when a stream
-- message and a REST backfill name it under different message ids.
CREATE UNIQUE INDEX inbox_execution_id_key ON inbox (execution_id) WHERE execution_id IS NOT NULL;
CREATE INDEX inbox_broker_order_idx ON inbox (broker_order_id, seq) WHERE broker_order_id IS NOT NULL;
CREATE INDEX inbox_unapplied_idx ON inbox (seq) WHERE applied_at IS NULL;

-- ───────────────────────────────────────────────────────────── orders
-- Local order state, driven by inbox events through the order state machine.
CREATE TABLE orders (
  id                          bigserial   PRIMARY KEY,
  intent_id                   text        NOT NULL UNIQUE REFERENCES order_map (intent_id),
  client_order_id             text        NOT NULL UNIQUE
                              CONSTRAINT orders_client_order_id_check CHECK (client_order_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$'),
  broker_order_id             text        NULL UNIQUE
                              CONSTRAINT orders_broker_order_id_check CHECK (broker_order_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
  account                     text        NOT NULL
                              CONSTRAINT orders_account_check CHECK (char_length(account) BETWEEN 1 AND 128),
  symbol                      text        NOT NULL
                              CONSTRAINT orders_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]{0,11}$'),
  side                        text        NOT NULL
                              CONSTRAINT orders_side_check CHECK (side IN ('buy', 'sell')),
  order_type                  text        NOT NULL
                              CONSTRAINT orders_order_type_check CHECK (order_type IN ('market', 'limit', 'stop', 'stop_limit')),
  time_in_force               text        NOT NULL
                              CONSTRAINT orders_time_in_force_check CHECK (time_in_force IN ('day', 'gtc', 'opg', 'cls', 'ioc', 'fok')),
  -- Every Alpaca order status (API-BRIEF §1.6, spec 2.0.1).
  state                       text        NOT NULL
                              CONSTRAINT orders_state_check CHECK (state IN (
                                'new', 'partially_filled', 'filled', 'done_for_day', 'canceled', 'expired', 'replaced',
                                'pending_cancel', 'pending_replace', 'accepted', 'pending_new', 'accepted_for_bidding',
                                'stopped', 'rejected', 'suspended', 'calculated', 'held')),
  qty_shares                  bigint      NOT NULL
                              CONSTRAINT orders_qty_shares_check CHECK (qty_shares > 0),
  filled_qty_shares           bigint      NOT NULL DEFAULT 0,
  limit_price_micros          bigint      NULL
                              CONSTRAINT orders_limit_price_micros_check CHECK (limit_price_micros > 0),
  stop_price_micros           bigint      NULL
                              CONSTRAINT orders_stop_price_micros_check CHECK (stop_price_micros > 0),
  -- Volume-weighted average of the fills, rounded by the portfolio's named mode.
  filled_avg_price_micros     bigint      NULL
                              CONSTRAINT orders_filled_avg_price_micros_check CHECK (filled_avg_price_micros > 0),
  replaces_broker_order_id    text        NULL,
  replaced_by_broker_order_id text        NULL,
  reject_reason               text        NULL,
  -- The last inbox event applied to this order (out-of-order handling).
  last_inbox_seq              bigint      NULL REFERENCES inbox (seq),
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT orders_filled_qty_check CHECK (filled_qty_shares >= 0 AND filled_qty_shares <= qty_shares),
  CONSTRAINT orders_filled_avg_check CHECK ((filled_qty_shares = 0) = (filled_avg_price_micros IS NULL))
);
CREATE INDEX orders_open_idx ON orders (account, symbol) WHERE state NOT IN ('filled', 'canceled', 'expired', 'replaced', 'rejected');

-- ───────────────────────────────────────────────────────────── positions
-- One row per (account, symbol); qty is signed (short < 0). Average-cost accounting.
CREATE TABLE positions (
  account             text        NOT NULL
                      CONSTRAINT positions_account_check CHECK (char_length(account) BETWEEN 1 AND 128),
  symbol              text        NOT NULL
                      CONSTRAINT positions_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]{0,11}$'),
  qty_shares          bigint      NOT NULL DEFAULT 0,
  -- Average cost per share of the open quantity; zero when flat (a flat position has no basis).
  avg_cost_micros     bigint      NOT NULL DEFAULT 0
                      CONSTRAINT positions_avg_cost_micros_check CHECK (avg_cost_micros >= 0),
  realized_pnl_micros bigint      NOT NULL DEFAULT 0,
  last_inbox_seq      bigint      NULL REFERENCES inbox (seq),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account, symbol),
  CONSTRAINT positions_flat_check CHECK (qty_shares <> 0 OR avg_cost_micros = 0)
);

-- ───────────────────────────────────────────────────────────── cash_ledger
-- Append-only entries; the balance is their sum. (account, reason, source_ref) is
-- unique so the same fill, fee or deposit can be booked only once (D2).
CREATE TABLE cash_ledger (
  id            bigserial   PRIMARY KEY,
  account       text        NOT NULL
                CONSTRAINT cash_ledger_account_check CHECK (char_length(account) BETWEEN 1 AND 128),
  amount_micros bigint      NOT NULL,
  reason        text        NOT NULL
                CONSTRAINT cash_ledger_reason_check CHECK (reason IN (
                  'INITIAL', 'DEPOSIT', 'WITHDRAWAL', 'FILL', 'FEE', 'DIVIDEND', 'INTEREST', 'ADJUSTMENT')),
  -- What booked it: an execution id for FILL/FEE, an operator reference otherwise.
  source_ref    text        NOT NULL
                CONSTRAINT cash_ledger_source_ref_check CHECK (char_length(source_ref) BETWEEN 1 AND 256),
  inbox_seq     bigint      NULL REFERENCES inbox (seq),
  symbol        text        NULL
                CONSTRAINT cash_ledger_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]{0,11}$'),
  note          text        NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT cash_ledger_source_key UNIQUE (account, reason, source_ref),
  CONSTRAINT cash_ledger_sign_check CHECK (CASE reason
    WHEN 'DEPOSIT'    THEN amount_micros > 0
    WHEN 'WITHDRAWAL' THEN amount_micros < 0
    WHEN 'FEE'        THEN amount_micros <= 0
    ELSE true
  END)
);
CREATE INDEX cash_ledger_account_idx ON cash_ledger (account, id);

-- ───────────────────────────────────────────────────────────── audit_events
-- X1: a hash chain. hash = sha256 over (prev_hash, seq, kind, payload, created_at) as
-- the integrity package defines it; the first row's prev_hash is 64 zeros.
-- UNIQUE (prev_hash) makes a fork impossible: two concurrent appends cannot both
-- follow the same row. seq may have gaps (a rolled-back insert burns one), so the
-- verifier follows prev_hash, not seq arithmetic.
CREATE TABLE audit_events (
  seq        bigserial   PRIMARY KEY,
  kind       text        NOT NULL
             CONSTRAINT audit_events_kind_check CHECK (kind IN (
               'ARMED', 'DISARMED', 'BOOT_DISARMED', 'DEADMAN_TRIPPED', 'DEADMAN_RECOVERED',
               'RISK_STATE_CHANGED', 'RECONCILE_RECORDED', 'PROMOTION_RECORDED', 'CONFIG_CHANGED',
               'RUN_STARTED', 'RUN_ENDED', 'OPERATOR_NOTE')),
  payload    jsonb       NOT NULL,
  run_id     text        NULL REFERENCES runs (id),
  actor      text        NOT NULL DEFAULT 'system',
  prev_hash  text        NOT NULL UNIQUE
             CONSTRAINT audit_events_prev_hash_check CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash       text        NOT NULL UNIQUE
             CONSTRAINT audit_events_hash_check CHECK (hash ~ '^[0-9a-f]{64}$'),
  -- Written by the application and whole milliseconds only, so the value hashed in
  -- JavaScript (a Date) reads back byte-identical; now()'s microseconds would not.
  created_at timestamptz NOT NULL
             CONSTRAINT audit_events_created_at_check CHECK (created_at = date_trunc('milliseconds', created_at))
);

-- ───────────────────────────────────────────────────────────── md_bars
-- Bars cached from any provider. provider is a registry name, not an enum (S1.7: a new
-- provider must not need a migration), so it has a format CHECK only.
CREATE TABLE md_bars (
  provider     text        NOT NULL
               CONSTRAINT md_bars_provider_check CHECK (provider ~ '^[a-z][a-z0-9_-]{0,31}$'),
  symbol       text        NOT NULL
               CONSTRAINT md_bars_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]{0,11}$'),
  -- Twelve Data's interval names (API-BRIEF §2.2).
  interval     text        NOT NULL
               CONSTRAINT md_bars_interval_check CHECK (interval IN (
                 '1min', '5min', '15min', '30min', '45min', '1h', '2h', '4h', '8h', '1day', '1week', '1month')),
  -- The bar's start instant in UTC (daily bars: the session date's regular open).
  ts           timestamptz NOT NULL,
  open_micros  bigint      NOT NULL CONSTRAINT md_bars_open_micros_check CHECK (open_micros > 0),
  high_micros  bigint      NOT NULL,
  low_micros   bigint      NOT NULL CONSTRAINT md_bars_low_micros_check CHECK (low_micros > 0),
  close_micros bigint      NOT NULL CONSTRAINT md_bars_close_micros_check CHECK (close_micros > 0),
  volume       bigint      NOT NULL CONSTRAINT md_bars_volume_check CHECK (volume >= 0),
  fetched_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, symbol, interval, ts),
  CONSTRAINT md_bars_range_check CHECK (
    high_micros >= GREATEST(open_micros, close_micros) AND low_micros <= LEAST(open_micros, close_micros))
);

-- ───────────────────────────────────────────────────────────── promotions
-- The evaluator's verdict on a backtest run, bound to its artifact and config hashes.
CREATE TABLE promotions (
  id            bigserial   PRIMARY KEY,
  run_id        text        NOT NULL REFERENCES runs (id),
  strategy_id   text        NOT NULL
                CONSTRAINT promotions_strategy_id_check CHECK (strategy_id ~ '^[a-z][a-z0-9_-]{0,63}$'),
  target_mode   text        NOT NULL
                CONSTRAINT promotions_target_mode_check CHECK (target_mode IN ('PAPER', 'LIVE')),
  decision      text        NOT NULL
                CONSTRAINT promotions_decision_check CHECK (decision IN ('PROMOTED', 'REJECTED')),
  artifact_hash text        NOT NULL
                CONSTRAINT promotions_artifact_hash_check CHECK (artifact_hash ~ '^[0-9a-f]{64}$'),
  config_hash   text        NOT NULL
                CONSTRAINT promotions_config_hash_check CHECK (config_hash ~ '^[0-9a-f]{64}$'),
  -- Metric values are ratios, not money; JSON cannot hold NaN or Infinity (F3).
  metrics       jsonb       NOT NULL,
  reason        text        NOT NULL,
  evaluated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT promotions_run_target_key UNIQUE (run_id, target_mode)
);
