/**
 * The reconcile watermark (B2): the broker's clock at the snapshot (epoch ns) and the
 * last inbox seq the local state reflects.
 *
 * "Newer" is decided on the broker time first: a snapshot is newer than the last
 * accepted one only when its broker time is STRICTLY later. The inbox seq must then not
 * have gone backwards (equal is normal: no events between two reconciles); a lower seq
 * means the local state is older than the one already accepted (a restored or different
 * database) and the snapshot is refused as well. An equal broker time is never newer.
 */
export interface Watermark {
  readonly brokerNs: bigint;
  readonly inboxSeq: bigint;
}

export type WatermarkVerdict =
  { readonly newer: true } | { readonly newer: false; readonly reason: "broker_time_not_newer" | "inbox_seq_went_back"; readonly message: string };

export function compareWatermark(candidate: Watermark, lastAccepted: Watermark): WatermarkVerdict {
  if (candidate.brokerNs <= lastAccepted.brokerNs) {
    const how = candidate.brokerNs === lastAccepted.brokerNs ? "equal to" : "older than";
    return {
      newer: false,
      reason: "broker_time_not_newer",
      message: `the snapshot's broker time ${candidate.brokerNs.toString()} ns is ${how} the last accepted ${lastAccepted.brokerNs.toString()} ns (B2: only a strictly newer snapshot is accepted); take a new snapshot`,
    };
  }
  if (candidate.inboxSeq < lastAccepted.inboxSeq) {
    return {
      newer: false,
      reason: "inbox_seq_went_back",
      message: `the local inbox seq ${candidate.inboxSeq.toString()} is below the last accepted ${lastAccepted.inboxSeq.toString()}: the local state is older than one already reconciled (restored or different database?)`,
    };
  }
  return { newer: true };
}

/** "brokerNs/inboxSeq", for messages and alerts. */
export function formatWatermark(watermark: Watermark): string {
  return `${watermark.brokerNs.toString()}ns/seq ${watermark.inboxSeq.toString()}`;
}
