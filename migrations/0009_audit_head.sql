-- 0009_audit_head: the audit chain's tail gets an anchor, and audit_events becomes append-only (X1).
--
-- Why: the verifier checks every link and every hash, but nothing vouches for the LAST row:
-- deleting it, or appending a row that links to the tail with a recomputed hash (the hash
-- function is public), left a chain that verified.
--
-- What:
--  * audit_head, one row: the seq and hash of the last row the audit writer (appendAudit in
--    @mqk/integrity) appended. The writer updates it in the same transaction as each append,
--    under the same advisory lock that serialises appends, and only while the chain's tail is
--    the head it last wrote: a tail deleted or extended behind its back is never adopted, so
--    the verifier keeps finding it. last_seq 0 with the genesis hash (64 zeros): nothing appended.
--    Initialised from the current tail of audit_events (trusted as it stands: nothing older can
--    be checked against an anchor that did not exist), or 0 and the genesis hash when empty.
--  * a row trigger refusing UPDATE and DELETE on audit_events: the log is append-only; a
--    correction is a new row. Tampering now needs the trigger disabled (table owner or
--    superuser), and what it changes is then found by the chain and the head.
--
-- Limits, stated: audit_head lives in the same database, so someone who can rewrite both the
-- rows and the head can still make them agree; it is not an external anchor. TRUNCATE fires no
-- row trigger (tests reset the log with it, and the head with it); a truncated log whose head
-- was left alone is found.
--
-- Same house rules as 0001 (named CHECKs, PostgreSQL 15). The migration runner wraps this file
-- in one transaction: no BEGIN/COMMIT here.

-- No append may slip in between reading the tail below and this transaction's commit
-- (SHARE ROW EXCLUSIVE conflicts with INSERT's ROW EXCLUSIVE; CREATE TRIGGER takes it too).
LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE;

-- ───────────────────────────────────────────────────────────── audit_head
-- Exactly one row (id is always true), like arm_state and deadman.
CREATE TABLE audit_head (
  id         boolean     PRIMARY KEY DEFAULT true
             CONSTRAINT audit_head_single_row_check CHECK (id),
  last_seq   bigint      NOT NULL
             CONSTRAINT audit_head_last_seq_check CHECK (last_seq >= 0),
  -- Same format rule as audit_events.hash (0006).
  last_hash  text        NOT NULL
             CONSTRAINT audit_head_last_hash_check CHECK (last_hash ~ '^[0-9a-f]*$' AND char_length(last_hash) = 64),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The genesis hash stands for "nothing appended", and only for that.
  CONSTRAINT audit_head_genesis_check CHECK ((last_seq = 0) = (last_hash = repeat('0', 64)))
);

INSERT INTO audit_head (last_seq, last_hash)
SELECT COALESCE((SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1), 0),
       COALESCE((SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1), repeat('0', 64));

-- ───────────────────────────────────────────────────────────── audit_events: append-only
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % of audit_events row seq % refused', TG_OP, OLD.seq
    USING ERRCODE = 'insufficient_privilege',
          TABLE = 'audit_events',
          SCHEMA = TG_TABLE_SCHEMA,
          HINT = 'audit rows are only ever appended, by appendAudit (@mqk/integrity); record a correction as a new row (OPERATOR_NOTE) instead of changing one.';
END
$$;

CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
