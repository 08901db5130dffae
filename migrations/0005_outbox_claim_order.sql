-- 0005_outbox_claim_order: the claim's index walks rows in claim order.
--
-- The claim takes the claimable rows of one account in id order (FIFO) with
-- FOR UPDATE SKIP LOCKED ... LIMIT n. outbox_claimable_idx (next_attempt_at, id)
-- matched every queued row whose time had come, so each claim read and sorted the
-- whole backlog (thousands of rows under a burst) to return sixteen. Keyed on
-- (account, id) with the same predicate, the scan runs in claim order, tests
-- next_attempt_at as it goes and stops after n rows; the idle probe uses it too.
--
-- Same house rules as 0001. The migration runner wraps this file in one transaction.

CREATE INDEX outbox_claim_order_idx ON outbox (account, id) WHERE status IN ('PENDING', 'CLAIMED', 'AMBIGUOUS');
DROP INDEX outbox_claimable_idx;
