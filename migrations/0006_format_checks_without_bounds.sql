-- 0006_format_checks_without_bounds: the same format CHECKs, at a tenth of the cost.
--
-- A bounded repetition in a Postgres regular expression ('^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$')
-- compiles to one NFA state per allowed repetition, and the engine builds its DFA
-- states afresh on every evaluation: about 7 µs per client_order_id and 19 µs per
-- intent_id, on every INSERT and UPDATE of the row (Postgres checks every CHECK on
-- UPDATE, changed column or not) — a dozen times per order. An unbounded repetition
-- plus the same bound as a length test accepts exactly the same strings
-- (x ~ '^[A][B]{0,n}$'  ⇔  x ~ '^[A][B]*$' AND char_length(x) <= n + 1;
--  x ~ '^[B]{n}$'      ⇔  x ~ '^[B]*$'     AND char_length(x) = n) in under 1 µs.
-- Names are kept; NULL still passes (both parts are NULL). Every existing row is
-- checked again as each constraint is added.
--
-- Same house rules as 0001. The migration runner wraps this file in one transaction.

ALTER TABLE audit_events
  DROP CONSTRAINT audit_events_hash_check,
  ADD CONSTRAINT audit_events_hash_check CHECK (hash ~ '^[0-9a-f]*$' AND char_length(hash) = 64),
  DROP CONSTRAINT audit_events_prev_hash_check,
  ADD CONSTRAINT audit_events_prev_hash_check CHECK (prev_hash ~ '^[0-9a-f]*$' AND char_length(prev_hash) = 64);

ALTER TABLE cash_ledger
  DROP CONSTRAINT cash_ledger_symbol_check,
  ADD CONSTRAINT cash_ledger_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]*$' AND char_length(symbol) <= 12);

ALTER TABLE inbox
  DROP CONSTRAINT inbox_broker_order_id_check,
  ADD CONSTRAINT inbox_broker_order_id_check CHECK (broker_order_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]*$' AND char_length(broker_order_id) <= 128);

ALTER TABLE md_bars
  DROP CONSTRAINT md_bars_provider_check,
  ADD CONSTRAINT md_bars_provider_check CHECK (provider ~ '^[a-z][a-z0-9_-]*$' AND char_length(provider) <= 32),
  DROP CONSTRAINT md_bars_symbol_check,
  ADD CONSTRAINT md_bars_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]*$' AND char_length(symbol) <= 12);

ALTER TABLE order_map
  DROP CONSTRAINT order_map_broker_order_id_check,
  ADD CONSTRAINT order_map_broker_order_id_check CHECK (broker_order_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]*$' AND char_length(broker_order_id) <= 128),
  DROP CONSTRAINT order_map_client_order_id_check,
  ADD CONSTRAINT order_map_client_order_id_check CHECK (client_order_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]*$' AND char_length(client_order_id) <= 48),
  DROP CONSTRAINT order_map_replaces_client_order_id_check,
  ADD CONSTRAINT order_map_replaces_client_order_id_check CHECK (replaces_client_order_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]*$' AND char_length(replaces_client_order_id) <= 48);

ALTER TABLE orders
  DROP CONSTRAINT orders_broker_order_id_check,
  ADD CONSTRAINT orders_broker_order_id_check CHECK (broker_order_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]*$' AND char_length(broker_order_id) <= 128),
  DROP CONSTRAINT orders_client_order_id_check,
  ADD CONSTRAINT orders_client_order_id_check CHECK (client_order_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]*$' AND char_length(client_order_id) <= 48),
  DROP CONSTRAINT orders_symbol_check,
  ADD CONSTRAINT orders_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]*$' AND char_length(symbol) <= 12);

ALTER TABLE outbox
  DROP CONSTRAINT outbox_client_order_id_check,
  ADD CONSTRAINT outbox_client_order_id_check CHECK (client_order_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]*$' AND char_length(client_order_id) <= 48),
  DROP CONSTRAINT outbox_intent_id_check,
  ADD CONSTRAINT outbox_intent_id_check CHECK (intent_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]*$' AND char_length(intent_id) <= 128),
  DROP CONSTRAINT outbox_strategy_id_check,
  ADD CONSTRAINT outbox_strategy_id_check CHECK (strategy_id ~ '^[a-z][a-z0-9_-]*$' AND char_length(strategy_id) <= 64),
  DROP CONSTRAINT outbox_symbol_check,
  ADD CONSTRAINT outbox_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]*$' AND char_length(symbol) <= 12),
  DROP CONSTRAINT outbox_target_client_order_id_check,
  ADD CONSTRAINT outbox_target_client_order_id_check CHECK (target_client_order_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]*$' AND char_length(target_client_order_id) <= 48);

ALTER TABLE positions
  DROP CONSTRAINT positions_symbol_check,
  ADD CONSTRAINT positions_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]*$' AND char_length(symbol) <= 12);

ALTER TABLE promotions
  DROP CONSTRAINT promotions_artifact_hash_check,
  ADD CONSTRAINT promotions_artifact_hash_check CHECK (artifact_hash ~ '^[0-9a-f]*$' AND char_length(artifact_hash) = 64),
  DROP CONSTRAINT promotions_config_hash_check,
  ADD CONSTRAINT promotions_config_hash_check CHECK (config_hash ~ '^[0-9a-f]*$' AND char_length(config_hash) = 64),
  DROP CONSTRAINT promotions_strategy_id_check,
  ADD CONSTRAINT promotions_strategy_id_check CHECK (strategy_id ~ '^[a-z][a-z0-9_-]*$' AND char_length(strategy_id) <= 64);

ALTER TABLE reconcile_runs
  DROP CONSTRAINT reconcile_runs_evidence_hash_check,
  ADD CONSTRAINT reconcile_runs_evidence_hash_check CHECK (evidence_hash ~ '^[0-9a-f]*$' AND char_length(evidence_hash) = 64),
  DROP CONSTRAINT reconcile_runs_local_digest_check,
  ADD CONSTRAINT reconcile_runs_local_digest_check CHECK (local_digest ~ '^[0-9a-f]*$' AND char_length(local_digest) = 64),
  DROP CONSTRAINT reconcile_runs_snapshot_digest_check,
  ADD CONSTRAINT reconcile_runs_snapshot_digest_check CHECK (snapshot_digest ~ '^[0-9a-f]*$' AND char_length(snapshot_digest) = 64);

ALTER TABLE risk_approvals
  DROP CONSTRAINT risk_approvals_intent_id_check,
  ADD CONSTRAINT risk_approvals_intent_id_check CHECK (intent_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]*$' AND char_length(intent_id) <= 128),
  DROP CONSTRAINT risk_approvals_strategy_id_check,
  ADD CONSTRAINT risk_approvals_strategy_id_check CHECK (strategy_id ~ '^[a-z][a-z0-9_-]*$' AND char_length(strategy_id) <= 64),
  DROP CONSTRAINT risk_approvals_symbol_check,
  ADD CONSTRAINT risk_approvals_symbol_check CHECK (symbol ~ '^[A-Z][A-Z0-9.-]*$' AND char_length(symbol) <= 12);

ALTER TABLE runs
  DROP CONSTRAINT runs_artifact_hash_check,
  ADD CONSTRAINT runs_artifact_hash_check CHECK (artifact_hash ~ '^[0-9a-f]*$' AND char_length(artifact_hash) = 64),
  DROP CONSTRAINT runs_broker_check,
  ADD CONSTRAINT runs_broker_check CHECK (broker ~ '^[a-z][a-z0-9_-]*$' AND char_length(broker) <= 32),
  DROP CONSTRAINT runs_config_hash_check,
  ADD CONSTRAINT runs_config_hash_check CHECK (config_hash ~ '^[0-9a-f]*$' AND char_length(config_hash) = 64),
  DROP CONSTRAINT runs_id_check,
  ADD CONSTRAINT runs_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]*$' AND char_length(id) <= 128),
  DROP CONSTRAINT runs_strategy_id_check,
  ADD CONSTRAINT runs_strategy_id_check CHECK (strategy_id ~ '^[a-z][a-z0-9_-]*$' AND char_length(strategy_id) <= 64);
