-- 0002_risk: what @mqk/risk persists beyond 0001's risk_state row.
--
--  * risk_state gains the day baseline of the daily-loss limit (R3) as an instant
--    and a PnL figure, the cause of the current mode, and the mode's start instant.
--  * risk_approvals: one row per approved order. R4 (the same strategy decision
--    is approved at most once, also after a restart) rests on its unique keys;
--    R3's order-rate throttle counts its rows in the last minute.
--  * risk_events: every change of trading mode, for the operator and the audit.
--
-- Same house rules as 0001: named CHECKs on enum-like text, BIGINT micros, PG 15.
-- The migration runner wraps this file in one transaction: no BEGIN/COMMIT here.

-- ───────────────────────────────────────────────────────────── risk_state
-- The daily-loss baseline is realised + unrealised PnL at the first mark of the
-- trading day (day_start_ms: the day's start instant, UTC epoch ms, as the caller's
-- day boundary defines it). It is a PnL, not an equity, so deposits never move it.
ALTER TABLE risk_state
  ADD COLUMN day_start_ms          bigint NULL,
  ADD COLUMN day_start_pnl_micros  bigint NULL,
  ADD COLUMN cause                 text   NOT NULL DEFAULT 'initial'
             CONSTRAINT risk_state_cause_check CHECK (cause IN ('initial', 'operator', 'daily_loss', 'rate_limit')),
  ADD COLUMN state_since_ms        bigint NOT NULL DEFAULT 0
             CONSTRAINT risk_state_state_since_ms_check CHECK (state_since_ms >= 0),
  ADD CONSTRAINT risk_state_day_start_check CHECK ((day_start_ms IS NULL) = (day_start_pnl_micros IS NULL));

COMMENT ON COLUMN risk_state.orders_today IS
  'Not maintained: @mqk/risk counts approvals in risk_approvals (rolling minute), never in a row every order would lock.';
COMMENT ON COLUMN risk_state.day_realized_pnl_micros IS
  'Not maintained: the daily loss is computed from the ledger against day_start_pnl_micros.';

-- ───────────────────────────────────────────────────────────── risk_approvals
-- intent_id is sha256(canonical {strategyId, decisionKey}): deterministic, so the
-- primary key and the (strategy_id, decision_key) key refuse the same decision twice.
-- Written in the caller's transaction (the one that writes the outbox row), so an
-- approval exists exactly when its intent does.
CREATE TABLE risk_approvals (
  intent_id              text   PRIMARY KEY
                         CONSTRAINT risk_approvals_intent_id_check CHECK (intent_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
  strategy_id            text   NOT NULL
                         CONSTRAINT risk_approvals_strategy_id_check CHECK (strategy_id ~ '^[a-z][a-z0-9_-]{0,63}$'),
  decision_key           text   NOT NULL
                         CONSTRAINT risk_approvals_decision_key_check CHECK (char_length(decision_key) BETWEEN 1 AND 200),
  symbol                 text   NOT NULL
                         CONSTRAINT risk_approvals_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]{0,11}$'),
  side                   text   NOT NULL
                         CONSTRAINT risk_approvals_side_check CHECK (side IN ('buy', 'sell')),
  order_type             text   NOT NULL
                         CONSTRAINT risk_approvals_order_type_check CHECK (order_type IN ('market', 'limit')),
  qty_shares             bigint NOT NULL
                         CONSTRAINT risk_approvals_qty_shares_check CHECK (qty_shares > 0),
  limit_price_micros     bigint NULL
                         CONSTRAINT risk_approvals_limit_price_micros_check CHECK (limit_price_micros > 0),
  reference_price_micros bigint NOT NULL
                         CONSTRAINT risk_approvals_reference_price_micros_check CHECK (reference_price_micros > 0),
  approved_at_ms         bigint NOT NULL
                         CONSTRAINT risk_approvals_approved_at_ms_check CHECK (approved_at_ms >= 0),
  recorded_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT risk_approvals_decision_unique UNIQUE (strategy_id, decision_key),
  CONSTRAINT risk_approvals_limit_price_check CHECK ((order_type = 'limit') = (limit_price_micros IS NOT NULL))
);
CREATE INDEX risk_approvals_approved_at_ms_idx ON risk_approvals (approved_at_ms);

-- ───────────────────────────────────────────────────────────── risk_events
-- Append-only history of mode changes (breaches and operator actions).
CREATE TABLE risk_events (
  id          bigserial   PRIMARY KEY,
  at_ms       bigint      NOT NULL
              CONSTRAINT risk_events_at_ms_check CHECK (at_ms >= 0),
  event       text        NOT NULL
              CONSTRAINT risk_events_event_check CHECK (event IN ('breach', 'operator_halt', 'operator_reduce', 'operator_reset')),
  from_state  text        NOT NULL
              CONSTRAINT risk_events_from_state_check CHECK (from_state IN ('active', 'reducing', 'halted')),
  to_state    text        NOT NULL
              CONSTRAINT risk_events_to_state_check CHECK (to_state IN ('active', 'reducing', 'halted')),
  reason      text        NOT NULL
              CONSTRAINT risk_events_reason_check CHECK (char_length(reason) BETWEEN 1 AND 2000),
  actor       text        NOT NULL
              CONSTRAINT risk_events_actor_check CHECK (char_length(actor) BETWEEN 1 AND 200),
  -- The numbers of a breach, amounts as decimal strings of micros.
  detail      jsonb       NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT now()
);
