-- 0004_risk_rate_buckets: the order-rate throttle (R3) counts approvals per second.
--
-- Counting risk_approvals over the rolling minute read every approval of the
-- window, once per approval: at 400 orders/s that is 24,000 rows per order, and
-- with statistics that see the whole table inside the window, a sequential scan
-- of a table that never shrinks. Each approval now also adds one to its second's
-- bucket, in the same statement and so the same transaction as its approval row.
-- The throttle reads at most 60 buckets per shard for the whole seconds of the
-- window and counts the one partial second exactly from risk_approvals, so the
-- window is still exactly (t − 60 s, t].
--
--  * shard: pg_backend_pid() % 8, so concurrent approving transactions (each holds
--    its bucket row until it commits) rarely wait on one another.
--  * Rows are never updated but by +1 and never deleted by the desk: at most 8 per
--    second of trading, far fewer than risk_approvals' one per order.
--
-- Same house rules as 0001: named CHECKs, BIGINT instants, PG 15.
-- The migration runner wraps this file in one transaction: no BEGIN/COMMIT here.

CREATE TABLE risk_rate_buckets (
  second_ms  bigint   NOT NULL
             CONSTRAINT risk_rate_buckets_second_ms_check CHECK (second_ms >= 0 AND second_ms % 1000 = 0),
  shard      smallint NOT NULL
             CONSTRAINT risk_rate_buckets_shard_check CHECK (shard BETWEEN 0 AND 7),
  approvals  integer  NOT NULL
             CONSTRAINT risk_rate_buckets_approvals_check CHECK (approvals > 0),
  PRIMARY KEY (second_ms, shard)
);

-- Approvals recorded before this migration keep counting.
INSERT INTO risk_rate_buckets (second_ms, shard, approvals)
SELECT approved_at_ms - approved_at_ms % 1000, 0, count(*)::integer
  FROM risk_approvals
 GROUP BY 1;
