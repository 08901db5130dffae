/**
 * @mqk/integrity — the desk's safety gates and their record: the arm state (C1), the
 * deadman (C2) and the hash-chained audit log (X1).
 *
 * Entry points: `appendAudit` / `verifyAuditChain` (X1).
 *
 * Invariants:
 *  1. Every audit row carries the hash of the row before it; appends are serialised, so the
 *     chain never forks; an edited, inserted or deleted row is found and named (X1).
 *
 * Must never: write an audit row outside `appendAudit`; turn a verification failure into a throw
 * (it is a Result the caller must act on).
 */
export { appendAudit, auditHash, GENESIS_HASH, AUDIT_LOCK_KEY, type AuditEntry, type AppendedAudit, type AuditHashInput } from "./internal/audit-chain.js";
export { verifyAuditChain, type AuditChainBreak, type AuditChainSummary } from "./internal/verify-audit-chain.js";
export type { Executor } from "./internal/executor.js";
