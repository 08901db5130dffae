import { describe, expect, it } from "vitest";
import { compareWatermark } from "./watermark.js";

describe("compareWatermark", () => {
  const last = { brokerNs: 1_000n, inboxSeq: 10n };

  it("B2: strictly later broker time with an inbox seq not gone back is newer", () => {
    expect(compareWatermark({ brokerNs: 1_001n, inboxSeq: 10n }, last)).toEqual({ newer: true });
    expect(compareWatermark({ brokerNs: 1_001n, inboxSeq: 11n }, last)).toEqual({ newer: true });
  });

  it("B2: an equal or earlier broker time is never newer, whatever the inbox seq", () => {
    expect(compareWatermark({ brokerNs: 1_000n, inboxSeq: 99n }, last)).toMatchObject({ newer: false, reason: "broker_time_not_newer" });
    expect(compareWatermark({ brokerNs: 999n, inboxSeq: 99n }, last)).toMatchObject({ newer: false, reason: "broker_time_not_newer" });
  });

  it("B2: a later broker time with an inbox seq that went back is not newer", () => {
    expect(compareWatermark({ brokerNs: 2_000n, inboxSeq: 9n }, last)).toMatchObject({ newer: false, reason: "inbox_seq_went_back" });
  });
});
