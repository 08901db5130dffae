-- 0007_reconcile_runs_mode: which mode wrote a reconcile record.
--
-- B2 holds in every mode but BACKTEST: a BACKTEST reconcile skips the monotonic
-- watermark check. Without the mode on the record, a BACKTEST record on an account
-- became "the last accepted one" for the next PAPER or LIVE reconcile (an older
-- PAPER snapshot then passed B2 against it), and could open or shut the dispatch
-- gate of a desk that trades. Now:
--  * PAPER and LIVE records form one chain per account: B2 compares only with them,
--    the dispatch gate and the arm verifier read only them;
--  * BACKTEST records stay out of that chain (kept for the record, never evidence).
-- Records written before this migration were written by PAPER or LIVE desks (BACKTEST
-- does not reconcile against a broker), so they default to PAPER.
--
-- Same house rules as 0001 (D1: a value-list CHECK on an enum-like column).
-- The migration runner wraps this file in one transaction.

ALTER TABLE reconcile_runs
  ADD COLUMN mode text NOT NULL DEFAULT 'PAPER'
      CONSTRAINT reconcile_runs_mode_check CHECK (mode IN ('BACKTEST', 'PAPER', 'LIVE'));
ALTER TABLE reconcile_runs ALTER COLUMN mode DROP DEFAULT;
