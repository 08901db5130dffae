-- 0008_order_path_domains: the order path's column rules move from table CHECKs to domains.
--
-- Why: Postgres keeps a table's CHECK constraints as node-tree text and turns every one
-- of them back into an expression (stringToNode, then the expression planner) for each
-- INSERT or UPDATE statement that touches the table, whichever columns it sets. The
-- order path writes outbox, order_map, orders, inbox, positions, cash_ledger and
-- risk_approvals a dozen times per order: a profile of `pnpm bench:pipeline` spent about
-- a fifth of the database's CPU reading those trees back (pg_strtok alone 7 % of the
-- machine), and the same run with no CHECKs at all used 1.5 ms of database CPU per order
-- instead of 2.4 ms. A domain's CHECK is read and planned once per connection (the type
-- cache) and is evaluated only for the columns a statement assigns.
--
-- What: one domain per rule, named mqk_<rule>, its constraint <domain>_check, with
-- exactly the predicate the table CHECK had (0001, 0002, 0003, 0006): the same values
-- are accepted and refused, NULL still passes (NOT NULL stays on the column), and every
-- existing row is checked again as its column changes type. Rules that join several
-- columns (outbox_kind_shape_check, orders_filled_qty_check, …) stay table CHECKs, as
-- do the tables off the order path. A later migration extends a value list with
-- ALTER DOMAIN … DROP CONSTRAINT / ADD CONSTRAINT.
--
-- D1 still holds: an enum-like column is refused a bad value in the database, now by
-- its domain's CHECK (SQLSTATE 23514, constraint <domain>_check). Clients see no
-- change: a domain column reads back as its base type (text, bigint, integer).
--
-- Same house rules as 0001. The migration runner wraps this file in one transaction.

-- ───────────────────────────────────────────────────────────── value lists (D1)
CREATE DOMAIN mqk_outbox_status AS text
  CONSTRAINT mqk_outbox_status_check CHECK (VALUE IN ('PENDING', 'CLAIMED', 'AMBIGUOUS', 'SENT', 'ACKED', 'REJECTED', 'FAILED', 'CANCELLED'));
CREATE DOMAIN mqk_outbox_kind AS text
  CONSTRAINT mqk_outbox_kind_check CHECK (VALUE IN ('SUBMIT', 'CANCEL', 'REPLACE'));
CREATE DOMAIN mqk_order_side AS text
  CONSTRAINT mqk_order_side_check CHECK (VALUE IN ('buy', 'sell'));
CREATE DOMAIN mqk_order_type AS text
  CONSTRAINT mqk_order_type_check CHECK (VALUE IN ('market', 'limit', 'stop', 'stop_limit'));
CREATE DOMAIN mqk_time_in_force AS text
  CONSTRAINT mqk_time_in_force_check CHECK (VALUE IN ('day', 'gtc', 'opg', 'cls', 'ioc', 'fok'));
-- Every Alpaca order status (API-BRIEF §1.6, spec 2.0.1).
CREATE DOMAIN mqk_order_state AS text
  CONSTRAINT mqk_order_state_check CHECK (VALUE IN (
    'new', 'partially_filled', 'filled', 'done_for_day', 'canceled', 'expired', 'replaced',
    'pending_cancel', 'pending_replace', 'accepted', 'pending_new', 'accepted_for_bidding',
    'stopped', 'rejected', 'suspended', 'calculated', 'held'));
-- The trade_updates event names (API-BRIEF §1.10); REST backfills synthesise the same.
CREATE DOMAIN mqk_inbox_kind AS text
  CONSTRAINT mqk_inbox_kind_check CHECK (VALUE IN (
    'new', 'fill', 'partial_fill', 'canceled', 'expired', 'done_for_day', 'replaced',
    'rejected', 'pending_new', 'stopped', 'pending_cancel', 'pending_replace', 'calculated',
    'suspended', 'order_replace_rejected', 'order_cancel_rejected'));
CREATE DOMAIN mqk_inbox_source AS text
  CONSTRAINT mqk_inbox_source_check CHECK (VALUE IN ('stream', 'rest_backfill', 'sim'));
CREATE DOMAIN mqk_cash_reason AS text
  CONSTRAINT mqk_cash_reason_check CHECK (VALUE IN ('INITIAL', 'DEPOSIT', 'WITHDRAWAL', 'FILL', 'FEE', 'DIVIDEND', 'INTEREST', 'ADJUSTMENT'));

-- ───────────────────────────────────────────────────────────── formats
-- Identity formats mirror the validators of @mqk/core, as in 0001 (bounds as lengths: 0006).
CREATE DOMAIN mqk_intent_id AS text
  CONSTRAINT mqk_intent_id_check CHECK (VALUE ~ '^[A-Za-z0-9][A-Za-z0-9._:-]*$' AND char_length(VALUE) <= 128);
CREATE DOMAIN mqk_client_order_id AS text
  CONSTRAINT mqk_client_order_id_check CHECK (VALUE ~ '^[A-Za-z0-9][A-Za-z0-9_-]*$' AND char_length(VALUE) <= 48);
CREATE DOMAIN mqk_broker_order_id AS text
  CONSTRAINT mqk_broker_order_id_check CHECK (VALUE ~ '^[A-Za-z0-9][A-Za-z0-9._:-]*$' AND char_length(VALUE) <= 128);
-- (not '^\S{1,256}$': Postgres regex bounds stop at 255)
CREATE DOMAIN mqk_broker_message_id AS text
  CONSTRAINT mqk_broker_message_id_check CHECK (char_length(VALUE) BETWEEN 1 AND 256 AND VALUE !~ '\s');
-- An id as the broker wrote it on an event we may not have placed (inbox): length only.
CREATE DOMAIN mqk_broker_ref AS text
  CONSTRAINT mqk_broker_ref_check CHECK (char_length(VALUE) BETWEEN 1 AND 128);
CREATE DOMAIN mqk_ticker AS text
  CONSTRAINT mqk_ticker_check CHECK (VALUE ~ '^[A-Z][A-Z0-9.-]*$' AND char_length(VALUE) <= 12);
CREATE DOMAIN mqk_account AS text
  CONSTRAINT mqk_account_check CHECK (char_length(VALUE) BETWEEN 1 AND 128);
CREATE DOMAIN mqk_strategy_id AS text
  CONSTRAINT mqk_strategy_id_check CHECK (VALUE ~ '^[a-z][a-z0-9_-]*$' AND char_length(VALUE) <= 64);
CREATE DOMAIN mqk_decision_key AS text
  CONSTRAINT mqk_decision_key_check CHECK (char_length(VALUE) BETWEEN 1 AND 200);
CREATE DOMAIN mqk_ledger_ref AS text
  CONSTRAINT mqk_ledger_ref_check CHECK (char_length(VALUE) BETWEEN 1 AND 256);

-- ───────────────────────────────────────────────────────────── amounts and counts
CREATE DOMAIN mqk_positive_bigint AS bigint
  CONSTRAINT mqk_positive_bigint_check CHECK (VALUE > 0);
CREATE DOMAIN mqk_nonnegative_bigint AS bigint
  CONSTRAINT mqk_nonnegative_bigint_check CHECK (VALUE >= 0);
CREATE DOMAIN mqk_nonnegative_int AS integer
  CONSTRAINT mqk_nonnegative_int_check CHECK (VALUE >= 0);

-- ───────────────────────────────────────────────────────────── the tables
ALTER TABLE outbox
  DROP CONSTRAINT outbox_intent_id_check,
  DROP CONSTRAINT outbox_client_order_id_check,
  DROP CONSTRAINT outbox_kind_check,
  DROP CONSTRAINT outbox_status_check,
  DROP CONSTRAINT outbox_account_check,
  DROP CONSTRAINT outbox_strategy_id_check,
  DROP CONSTRAINT outbox_target_client_order_id_check,
  DROP CONSTRAINT outbox_symbol_check,
  DROP CONSTRAINT outbox_side_check,
  DROP CONSTRAINT outbox_order_type_check,
  DROP CONSTRAINT outbox_time_in_force_check,
  DROP CONSTRAINT outbox_qty_shares_check,
  DROP CONSTRAINT outbox_limit_price_micros_check,
  DROP CONSTRAINT outbox_stop_price_micros_check,
  DROP CONSTRAINT outbox_attempts_check,
  ALTER COLUMN intent_id TYPE mqk_intent_id,
  ALTER COLUMN client_order_id TYPE mqk_client_order_id,
  ALTER COLUMN kind TYPE mqk_outbox_kind,
  ALTER COLUMN status TYPE mqk_outbox_status,
  ALTER COLUMN account TYPE mqk_account,
  ALTER COLUMN strategy_id TYPE mqk_strategy_id,
  ALTER COLUMN target_client_order_id TYPE mqk_client_order_id,
  ALTER COLUMN symbol TYPE mqk_ticker,
  ALTER COLUMN side TYPE mqk_order_side,
  ALTER COLUMN order_type TYPE mqk_order_type,
  ALTER COLUMN time_in_force TYPE mqk_time_in_force,
  ALTER COLUMN qty_shares TYPE mqk_positive_bigint,
  ALTER COLUMN limit_price_micros TYPE mqk_positive_bigint,
  ALTER COLUMN stop_price_micros TYPE mqk_positive_bigint,
  ALTER COLUMN attempts TYPE mqk_nonnegative_int;

-- intent_id here (and in orders, inbox.order_intent_id) is a foreign key to a checked
-- column: it needs no rule of its own.
ALTER TABLE order_map
  DROP CONSTRAINT order_map_client_order_id_check,
  DROP CONSTRAINT order_map_broker_order_id_check,
  DROP CONSTRAINT order_map_replaces_client_order_id_check,
  ALTER COLUMN client_order_id TYPE mqk_client_order_id,
  ALTER COLUMN broker_order_id TYPE mqk_broker_order_id,
  ALTER COLUMN replaces_client_order_id TYPE mqk_client_order_id;

ALTER TABLE inbox
  DROP CONSTRAINT inbox_broker_message_id_check,
  DROP CONSTRAINT inbox_account_check,
  DROP CONSTRAINT inbox_kind_check,
  DROP CONSTRAINT inbox_source_check,
  DROP CONSTRAINT inbox_broker_order_id_check,
  DROP CONSTRAINT inbox_client_order_id_check,
  DROP CONSTRAINT inbox_execution_id_check,
  DROP CONSTRAINT inbox_fill_qty_shares_check,
  DROP CONSTRAINT inbox_fill_price_micros_check,
  DROP CONSTRAINT inbox_fill_cum_qty_shares_check,
  DROP CONSTRAINT inbox_event_ns_check,
  ALTER COLUMN broker_message_id TYPE mqk_broker_message_id,
  ALTER COLUMN account TYPE mqk_account,
  ALTER COLUMN kind TYPE mqk_inbox_kind,
  ALTER COLUMN source TYPE mqk_inbox_source,
  ALTER COLUMN broker_order_id TYPE mqk_broker_order_id,
  ALTER COLUMN client_order_id TYPE mqk_broker_ref,
  ALTER COLUMN execution_id TYPE mqk_broker_ref,
  ALTER COLUMN fill_qty_shares TYPE mqk_positive_bigint,
  ALTER COLUMN fill_price_micros TYPE mqk_positive_bigint,
  ALTER COLUMN fill_cum_qty_shares TYPE mqk_positive_bigint,
  ALTER COLUMN event_ns TYPE mqk_nonnegative_bigint;

ALTER TABLE orders
  DROP CONSTRAINT orders_client_order_id_check,
  DROP CONSTRAINT orders_broker_order_id_check,
  DROP CONSTRAINT orders_account_check,
  DROP CONSTRAINT orders_symbol_check,
  DROP CONSTRAINT orders_side_check,
  DROP CONSTRAINT orders_order_type_check,
  DROP CONSTRAINT orders_time_in_force_check,
  DROP CONSTRAINT orders_state_check,
  DROP CONSTRAINT orders_qty_shares_check,
  DROP CONSTRAINT orders_limit_price_micros_check,
  DROP CONSTRAINT orders_stop_price_micros_check,
  DROP CONSTRAINT orders_filled_avg_price_micros_check,
  ALTER COLUMN client_order_id TYPE mqk_client_order_id,
  ALTER COLUMN broker_order_id TYPE mqk_broker_order_id,
  ALTER COLUMN account TYPE mqk_account,
  ALTER COLUMN symbol TYPE mqk_ticker,
  ALTER COLUMN side TYPE mqk_order_side,
  ALTER COLUMN order_type TYPE mqk_order_type,
  ALTER COLUMN time_in_force TYPE mqk_time_in_force,
  ALTER COLUMN state TYPE mqk_order_state,
  ALTER COLUMN qty_shares TYPE mqk_positive_bigint,
  ALTER COLUMN limit_price_micros TYPE mqk_positive_bigint,
  ALTER COLUMN stop_price_micros TYPE mqk_positive_bigint,
  ALTER COLUMN filled_avg_price_micros TYPE mqk_positive_bigint;

ALTER TABLE positions
  DROP CONSTRAINT positions_account_check,
  DROP CONSTRAINT positions_symbol_check,
  DROP CONSTRAINT positions_avg_cost_micros_check,
  ALTER COLUMN account TYPE mqk_account,
  ALTER COLUMN symbol TYPE mqk_ticker,
  ALTER COLUMN avg_cost_micros TYPE mqk_nonnegative_bigint;

ALTER TABLE cash_ledger
  DROP CONSTRAINT cash_ledger_account_check,
  DROP CONSTRAINT cash_ledger_reason_check,
  DROP CONSTRAINT cash_ledger_source_ref_check,
  DROP CONSTRAINT cash_ledger_symbol_check,
  ALTER COLUMN account TYPE mqk_account,
  ALTER COLUMN reason TYPE mqk_cash_reason,
  ALTER COLUMN source_ref TYPE mqk_ledger_ref,
  ALTER COLUMN symbol TYPE mqk_ticker;

-- order_type keeps its table CHECK: risk approves market and limit orders only, a
-- narrower list than the broker's.
ALTER TABLE risk_approvals
  DROP CONSTRAINT risk_approvals_intent_id_check,
  DROP CONSTRAINT risk_approvals_strategy_id_check,
  DROP CONSTRAINT risk_approvals_decision_key_check,
  DROP CONSTRAINT risk_approvals_symbol_check,
  DROP CONSTRAINT risk_approvals_side_check,
  DROP CONSTRAINT risk_approvals_qty_shares_check,
  DROP CONSTRAINT risk_approvals_limit_price_micros_check,
  DROP CONSTRAINT risk_approvals_reference_price_micros_check,
  DROP CONSTRAINT risk_approvals_approved_at_ms_check,
  ALTER COLUMN intent_id TYPE mqk_intent_id,
  ALTER COLUMN strategy_id TYPE mqk_strategy_id,
  ALTER COLUMN decision_key TYPE mqk_decision_key,
  ALTER COLUMN symbol TYPE mqk_ticker,
  ALTER COLUMN side TYPE mqk_order_side,
  ALTER COLUMN qty_shares TYPE mqk_positive_bigint,
  ALTER COLUMN limit_price_micros TYPE mqk_positive_bigint,
  ALTER COLUMN reference_price_micros TYPE mqk_positive_bigint,
  ALTER COLUMN approved_at_ms TYPE mqk_nonnegative_bigint;

-- ───────────────────────────────────────────────────────────── outbox: the order's shape
-- An outbox row's order fields are written once, at insert; the dispatcher then updates
-- its status, claim and attempts three or four times per order. Postgres evaluates every
-- table CHECK on every UPDATE, whichever columns it sets, so the three shape rules below
-- (the largest expressions left on the order path) were read back and evaluated on each
-- status change. They become one row trigger that fires on INSERT and on an UPDATE that
-- sets any column they read, and raises exactly what the CHECK raised (SQLSTATE 23514,
-- the same constraint name, NULL passes). An UPDATE that sets none of those columns
-- cannot change their verdict. outbox_claim_check, which reads the status, stays a CHECK.
ALTER TABLE outbox
  DROP CONSTRAINT outbox_kind_shape_check,
  DROP CONSTRAINT outbox_order_type_limit_price_check,
  DROP CONSTRAINT outbox_order_type_stop_price_check;

CREATE FUNCTION outbox_shape_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  broken text;
BEGIN
  IF (CASE NEW.kind
        WHEN 'SUBMIT'  THEN NEW.client_order_id IS NOT NULL AND NEW.target_client_order_id IS NULL
                            AND NEW.symbol IS NOT NULL AND NEW.side IS NOT NULL AND NEW.order_type IS NOT NULL
                            AND NEW.time_in_force IS NOT NULL AND NEW.qty_shares IS NOT NULL
        WHEN 'REPLACE' THEN NEW.client_order_id IS NOT NULL AND NEW.target_client_order_id IS NOT NULL
        WHEN 'CANCEL'  THEN NEW.client_order_id IS NULL AND NEW.target_client_order_id IS NOT NULL
      END) IS FALSE THEN
    broken := 'outbox_kind_shape_check';
  ELSIF (NEW.order_type IS NULL OR (NEW.order_type IN ('limit', 'stop_limit')) = (NEW.limit_price_micros IS NOT NULL)) IS FALSE THEN
    broken := 'outbox_order_type_limit_price_check';
  ELSIF (NEW.order_type IS NULL OR (NEW.order_type IN ('stop', 'stop_limit')) = (NEW.stop_price_micros IS NOT NULL)) IS FALSE THEN
    broken := 'outbox_order_type_stop_price_check';
  END IF;
  IF broken IS NOT NULL THEN
    RAISE EXCEPTION 'new row for relation "outbox" violates check constraint "%"', broken
      USING ERRCODE = 'check_violation', CONSTRAINT = broken, TABLE = 'outbox', SCHEMA = TG_TABLE_SCHEMA;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER outbox_shape_check
  BEFORE INSERT OR UPDATE OF kind, client_order_id, target_client_order_id, symbol, side, order_type, time_in_force,
                             qty_shares, limit_price_micros, stop_price_micros
  ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_shape_check();
