-- 0003_execution: what the dispatcher and the inbox need beyond 0001.
--
--  * inbox.order_intent_id: the order an event was applied to (set with applied_at), so
--    the fills booked for one order are found without matching ids again.
--  * inbox.fill_cum_qty_shares: the order's cumulative filled quantity after this
--    execution. A fill covers (cum − qty, cum] of the order's quantity; the inbox
--    books an interval at most once, whichever message carries it (a REST backfill
--    after a reconnect, then the late stream message of the same execution): D2
--    across sources whose execution ids differ.
--  * inbox.apply_note: why an event was kept but not applied (unmatched order,
--    an unlisted transition, an interval already booked), for reconcile and operators.
--
-- Same house rules as 0001: named CHECKs, BIGINT quantities, PG 15.
-- The migration runner wraps this file in one transaction: no BEGIN/COMMIT here.

ALTER TABLE inbox
  ADD COLUMN order_intent_id      text   NULL REFERENCES order_map (intent_id),
  ADD COLUMN fill_cum_qty_shares  bigint NULL
             CONSTRAINT inbox_fill_cum_qty_shares_check CHECK (fill_cum_qty_shares > 0),
  ADD COLUMN apply_note           text   NULL,
  ADD CONSTRAINT inbox_fill_cum_shape_check CHECK (
    fill_cum_qty_shares IS NULL OR (fill_qty_shares IS NOT NULL AND fill_cum_qty_shares >= fill_qty_shares));

CREATE INDEX inbox_intent_fills_idx ON inbox (order_intent_id) WHERE order_intent_id IS NOT NULL AND fill_qty_shares IS NOT NULL;
