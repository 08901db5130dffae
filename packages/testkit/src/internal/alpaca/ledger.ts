/**
 * The fake account's cash and positions, moved only by fills. Average-cost
 * accounting with shorts, all in bigint micros; wire shapes of API-BRIEF §1.9.
 *
 * Invariants:
 *  1. A position with qty 0 does not exist (GET /v2/positions/{symbol} → 404).
 *  2. `cost` is the unsigned cost of the open quantity; a reducing fill releases
 *     it pro rata, a crossing fill reopens at the fill price.
 */
import { divRound, formatMicros, MICROS_PER_UNIT } from "@mqk/core";
import type { OrderSide } from "./order-request.js";
import type { AlpacaPositionJson } from "./wire-types.js";

export interface LedgerPosition {
  readonly symbol: string;
  readonly assetId: string;
  /** Signed shares: negative when short. */
  qty: bigint;
  /** Unsigned cost of the open quantity, micros. */
  cost: bigint;
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);

export class Ledger {
  cash: bigint;
  readonly #positions = new Map<string, LedgerPosition>();

  constructor(startingCash: bigint) {
    this.cash = startingCash;
  }

  qty(symbol: string): bigint {
    return this.#positions.get(symbol)?.qty ?? 0n;
  }

  position(symbol: string): LedgerPosition | undefined {
    return this.#positions.get(symbol);
  }

  all(): LedgerPosition[] {
    return [...this.#positions.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /** Applies one execution; returns the position quantity after it (trade_updates `position_qty`). */
  applyFill(symbol: string, assetId: string, side: OrderSide, qty: bigint, price: bigint): bigint {
    const signed = side === "buy" ? qty : -qty;
    const notional = qty * price;
    this.cash += side === "buy" ? -notional : notional;
    const pos = this.#positions.get(symbol) ?? { symbol, assetId, qty: 0n, cost: 0n };
    if (pos.qty === 0n || pos.qty < 0n === signed < 0n) {
      pos.qty += signed;
      pos.cost += notional;
    } else {
      const closing = qty < abs(pos.qty) ? qty : abs(pos.qty);
      pos.cost -= divRound(pos.cost * closing, abs(pos.qty), "HALF_EVEN");
      pos.qty += side === "buy" ? closing : -closing;
      const opening = qty - closing;
      if (opening > 0n) {
        pos.qty = side === "buy" ? opening : -opening;
        pos.cost = opening * price;
      }
    }
    if (pos.qty === 0n) this.#positions.delete(symbol);
    else this.#positions.set(symbol, pos);
    return pos.qty;
  }
}

/** Market value of a position at `price` (signed, micros). */
export function marketValue(pos: LedgerPosition, price: bigint | null): bigint {
  return pos.qty * (price ?? averageEntry(pos));
}

export function averageEntry(pos: LedgerPosition): bigint {
  return divRound(pos.cost, abs(pos.qty), "HALF_EVEN");
}

function ratio(numerator: bigint, denominator: bigint): string {
  return denominator === 0n ? "0" : formatMicros(divRound(numerator * MICROS_PER_UNIT, denominator, "HALF_EVEN"));
}

/** The Position object of GET /v2/positions. `held` is the quantity reserved by open closing orders. */
export function positionJson(pos: LedgerPosition, lastPrice: bigint | null, held: bigint): AlpacaPositionJson {
  const current = lastPrice ?? averageEntry(pos);
  const mv = pos.qty * current;
  const costBasis = pos.qty < 0n ? -pos.cost : pos.cost;
  const upl = mv - costBasis;
  const available = abs(pos.qty) - held;
  return {
    asset_id: pos.assetId,
    symbol: pos.symbol,
    exchange: "NYSE",
    asset_class: "us_equity",
    asset_marginable: true,
    avg_entry_price: formatMicros(averageEntry(pos)),
    qty: pos.qty.toString(),
    qty_available: (pos.qty < 0n ? -(available > 0n ? available : 0n) : available > 0n ? available : 0n).toString(),
    side: pos.qty < 0n ? "short" : "long",
    market_value: formatMicros(mv),
    cost_basis: formatMicros(costBasis),
    unrealized_pl: formatMicros(upl),
    unrealized_plpc: ratio(upl, pos.cost),
    unrealized_intraday_pl: formatMicros(upl),
    unrealized_intraday_plpc: ratio(upl, pos.cost),
    current_price: formatMicros(current),
    lastday_price: formatMicros(current),
    change_today: "0",
  };
}
