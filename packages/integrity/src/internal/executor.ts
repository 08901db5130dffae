import type { Database, Kysely, Transaction } from "@mqk/db";

/** Anything that runs queries: a pool-backed Kysely or an open transaction of one. */
export type Executor = Kysely<Database>;

/**
 * Runs `work` inside a transaction: the caller's when `executor` already is one (so a
 * dispatcher or reconcile can make its own write and ours atomic), a new one otherwise.
 */
export async function inTransaction<T>(executor: Executor, work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (executor.isTransaction) return work(executor as Transaction<Database>);
  return executor.transaction().execute(work);
}
