/**
 * The id map (A4): intent_id ↔ client_order_id ↔ broker_order_id, in order_map.
 * The first two are written with the outbox row; the broker id is written the
 * moment it is learned (a send's answer, a lookup, or the first broker event),
 * in the caller's transaction. Once set it never changes.
 */
import { asBrokerOrderId, asClientOrderId, asIntentId, err, ok, type BrokerOrderId, type ClientOrderId, type IntentId, type Result } from "@mqk/core";
import { sql, type Database, type Kysely } from "@mqk/db";

/** A Kysely handle or a transaction on the desk's database. */
export type Executor = Kysely<Database>;

export interface OrderIds {
  readonly intentId: IntentId;
  readonly clientOrderId: ClientOrderId;
  /** null until the broker's id is learned. */
  readonly brokerOrderId: BrokerOrderId | null;
}

export type RecordBrokerOrderIdError =
  | { readonly kind: "unknown_client_order_id"; readonly clientOrderId: string }
  /** This order already has another broker id. */
  | { readonly kind: "broker_order_id_conflict"; readonly clientOrderId: string; readonly knownBrokerOrderId: string; readonly offeredBrokerOrderId: string }
  /** The broker id already belongs to another of our orders. */
  | { readonly kind: "broker_order_id_taken"; readonly brokerOrderId: string; readonly ownerClientOrderId: string };

export interface MapRow {
  readonly intent_id: string;
  readonly client_order_id: string;
  readonly broker_order_id: string | null;
}

/** An order_map row as ids (checked by the @mqk/core validators). */
export function orderIdsFromRow(row: MapRow): OrderIds {
  return {
    intentId: asIntentId(row.intent_id),
    clientOrderId: asClientOrderId(row.client_order_id),
    brokerOrderId: row.broker_order_id === null ? null : asBrokerOrderId(row.broker_order_id),
  };
}

/**
 * Persists the broker's id for one of our orders. Idempotent: the same pair again
 * changes nothing (`changed: false`); a different broker id for an order that
 * already has one, or a broker id already mapped to another order, is refused.
 */
export async function recordBrokerOrderId(
  tx: Executor,
  clientOrderId: ClientOrderId,
  brokerOrderId: BrokerOrderId,
): Promise<Result<{ readonly ids: OrderIds; readonly changed: boolean }, RecordBrokerOrderIdError>> {
  const owner = await tx.selectFrom("order_map").select("client_order_id").where("broker_order_id", "=", brokerOrderId).executeTakeFirst();
  if (owner !== undefined && owner.client_order_id !== clientOrderId) {
    return err({ kind: "broker_order_id_taken", brokerOrderId, ownerClientOrderId: owner.client_order_id });
  }
  const updated = await tx
    .updateTable("order_map")
    .set({ broker_order_id: brokerOrderId, broker_order_id_at: sql<Date>`now()` })
    .where("client_order_id", "=", clientOrderId)
    .where("broker_order_id", "is", null)
    .returning(["intent_id", "client_order_id", "broker_order_id"])
    .executeTakeFirst();
  if (updated !== undefined) {
    await tx.updateTable("orders").set({ broker_order_id: brokerOrderId }).where("client_order_id", "=", clientOrderId).execute();
    return ok({ ids: orderIdsFromRow(updated), changed: true });
  }
  const row = await tx
    .selectFrom("order_map")
    .select(["intent_id", "client_order_id", "broker_order_id"])
    .where("client_order_id", "=", clientOrderId)
    .executeTakeFirst();
  if (row === undefined) return err({ kind: "unknown_client_order_id", clientOrderId });
  if (row.broker_order_id !== brokerOrderId) {
    return err({ kind: "broker_order_id_conflict", clientOrderId, knownBrokerOrderId: row.broker_order_id ?? "", offeredBrokerOrderId: brokerOrderId });
  }
  return ok({ ids: orderIdsFromRow(row), changed: false });
}

function mapQuery(db: Executor) {
  return db.selectFrom("order_map").select(["intent_id", "client_order_id", "broker_order_id"]);
}

export async function orderIdsByIntentId(db: Executor, intentId: IntentId): Promise<OrderIds | undefined> {
  const row = await mapQuery(db).where("intent_id", "=", intentId).executeTakeFirst();
  return row === undefined ? undefined : orderIdsFromRow(row);
}

export async function orderIdsByClientOrderId(db: Executor, clientOrderId: string): Promise<OrderIds | undefined> {
  const row = await mapQuery(db).where("client_order_id", "=", clientOrderId).executeTakeFirst();
  return row === undefined ? undefined : orderIdsFromRow(row);
}

export async function orderIdsByBrokerOrderId(db: Executor, brokerOrderId: string): Promise<OrderIds | undefined> {
  const row = await mapQuery(db).where("broker_order_id", "=", brokerOrderId).executeTakeFirst();
  return row === undefined ? undefined : orderIdsFromRow(row);
}
