import { describe, expect, it } from "vitest";
import type { DeskMode } from "./channels.js";
import { alertKinds, type AlertKind } from "./events.js";
import { routeEvent, routingTable } from "./routing.js";
import { sampleEvent } from "./sample-events.js";

const modes: readonly DeskMode[] = ["BACKTEST", "PAPER", "LIVE"];

// The expected routes, written out by hand: the table under test must agree with this, cell by cell.
const expected: Readonly<Record<AlertKind, Readonly<Record<DeskMode, readonly string[]>>>> = {
  run_started: { BACKTEST: ["backtest"], PAPER: ["paper"], LIVE: ["live"] },
  run_finished: { BACKTEST: ["backtest"], PAPER: ["paper"], LIVE: ["live"] },
  armed: { BACKTEST: ["backtest"], PAPER: ["paper"], LIVE: ["alerts", "live"] },
  order_submitted: { BACKTEST: ["backtest"], PAPER: ["paper"], LIVE: ["live"] },
  fill: { BACKTEST: ["backtest"], PAPER: ["paper"], LIVE: ["live"] },
  order_rejected: { BACKTEST: ["backtest"], PAPER: ["paper"], LIVE: ["live"] },
  risk_halt: { BACKTEST: ["alerts", "backtest"], PAPER: ["alerts", "paper"], LIVE: ["alerts", "live"] },
  integrity_disarm: { BACKTEST: ["alerts", "backtest"], PAPER: ["alerts", "paper"], LIVE: ["alerts", "live"] },
  deadman_tripped: { BACKTEST: ["alerts", "backtest"], PAPER: ["alerts", "paper"], LIVE: ["alerts", "live"] },
  reconcile_dirty: { BACKTEST: ["alerts", "backtest"], PAPER: ["alerts", "paper"], LIVE: ["alerts", "live"] },
  reconcile_clean: { BACKTEST: ["backtest"], PAPER: ["paper"], LIVE: ["live"] },
  heartbeat: { BACKTEST: ["heartbeat"], PAPER: ["heartbeat"], LIVE: ["heartbeat"] },
  operator_message: { BACKTEST: ["c2"], PAPER: ["c2"], LIVE: ["c2"] },
  c2_command: { BACKTEST: ["c2"], PAPER: ["c2"], LIVE: ["c2"] },
  alert_channel_disabled: { BACKTEST: ["alerts"], PAPER: ["alerts"], LIVE: ["alerts"] },
  backtest_result: { BACKTEST: ["backtest"], PAPER: ["backtest"], LIVE: ["backtest"] },
  channel_message: { BACKTEST: ["ops-desk"], PAPER: ["ops-desk"], LIVE: ["ops-desk"] },
};

describe("routing table", () => {
  it("S1.6: lists every kind, and the test's expectations cover every kind too", () => {
    expect(Object.keys(routingTable).sort()).toEqual([...alertKinds].sort());
    expect(Object.keys(expected).sort()).toEqual([...alertKinds].sort());
  });

  for (const kind of alertKinds) {
    for (const mode of modes) {
      it(`S1.6: routes ${kind} in ${mode} to ${expected[kind][mode].join(" + ")}`, () => {
        expect(routeEvent(sampleEvent(kind, { channel: "ops-desk" }), mode)).toEqual(expected[kind][mode]);
      });
    }
  }

  it("S1.6: a LIVE fill goes to live only, never to paper", () => {
    expect(routeEvent(sampleEvent("fill"), "LIVE")).toEqual(["live"]);
  });

  it("S1.6: an integrity disarm goes to alerts and to the mode's channel", () => {
    for (const mode of modes) expect(routeEvent(sampleEvent("integrity_disarm"), mode)).toContain("alerts");
    expect(routeEvent(sampleEvent("integrity_disarm"), "PAPER")).toContain("paper");
  });
});
