/**
 * The account as the fake broker sees it: equity, buying power, what open
 * orders hold, and the pre-trade refusals of API-BRIEF §1.11 item 4 (403
 * "insufficient buying power", 403 "insufficient qty available for order").
 *
 * Buying power = max(0, equity × multiplier − gross market value − reserved),
 * where reserved is the remaining quantity of open opening orders times their
 * limit (or stop, or last) price. With multiplier 1 and only longs this is cash
 * minus what open buys reserve: a cash account.
 */
import { formatMicros } from "@mqk/core";
import { alpacaError, type AlpacaErrorReply } from "./alpaca-errors.js";
import { isOpen, remainingQty, type FakeOrder } from "./fake-order.js";
import { marketValue, positionJson, type Ledger } from "./ledger.js";
import type { OrderSide } from "./order-request.js";
import type { AlpacaAccountJson, AlpacaPositionJson } from "./wire-types.js";
import { easternWallClock, type IdSource, type Stamper } from "./wire-format.js";

interface ViewSettings {
  readonly ids: IdSource;
  readonly stamper: Stamper;
  readonly startingCash: bigint;
  readonly buyingPowerMultiplier: bigint;
  readonly shortingEnabled: boolean;
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);

export class AccountView {
  readonly #ledger: Ledger;
  readonly #prices: ReadonlyMap<string, bigint>;
  readonly #orders: () => FakeOrder[];
  readonly #s: ViewSettings;
  readonly #createdAt: string;

  constructor(ledger: Ledger, prices: ReadonlyMap<string, bigint>, orders: () => FakeOrder[], settings: ViewSettings) {
    this.#ledger = ledger;
    this.#prices = prices;
    this.#orders = orders;
    this.#s = settings;
    this.#createdAt = settings.stamper.now().text;
  }

  /** Remaining quantity of open orders on `side` for `symbol`. */
  held(symbol: string, side: OrderSide): bigint {
    let total = 0n;
    for (const o of this.#orders()) if (o.symbol === symbol && o.side === side && isOpen(o)) total += remainingQty(o);
    return total;
  }

  equity(): bigint {
    let equity = this.#ledger.cash;
    for (const pos of this.#ledger.all()) equity += marketValue(pos, this.#prices.get(pos.symbol) ?? null);
    return equity;
  }

  buyingPower(): bigint {
    let gross = 0n;
    for (const pos of this.#ledger.all()) gross += abs(marketValue(pos, this.#prices.get(pos.symbol) ?? null));
    let reserved = 0n;
    for (const o of this.#orders()) {
      if (!isOpen(o) || !(o.positionIntent === "buy_to_open" || o.positionIntent === "sell_to_open")) continue;
      reserved += remainingQty(o) * (o.limitPrice ?? o.stopPrice ?? this.#prices.get(o.symbol) ?? 0n);
    }
    const bp = this.equity() * this.#s.buyingPowerMultiplier - gross - reserved;
    return bp > 0n ? bp : 0n;
  }

  /** Why the broker refuses an order before creating it, or null. `orderPrice` is its limit or stop. */
  refusal(symbol: string, side: OrderSide, qty: bigint, orderPrice: bigint | null): AlpacaErrorReply | null {
    const pos = this.#ledger.qty(symbol);
    let opening: bigint;
    if (side === "sell") {
      const free = (pos > 0n ? pos : 0n) - this.held(symbol, "sell");
      const available = free > 0n ? free : 0n;
      if (!this.#s.shortingEnabled && qty > available) return alpacaError.insufficientQty(qty, available, symbol);
      opening = qty > available ? qty - available : 0n;
    } else {
      const free = (pos < 0n ? -pos : 0n) - this.held(symbol, "buy");
      const coverable = free > 0n ? free : 0n;
      opening = qty > coverable ? qty - coverable : 0n;
    }
    const price = orderPrice ?? this.#prices.get(symbol) ?? null;
    if (opening === 0n || price === null) return null;
    const cost = opening * price;
    const bp = this.buyingPower();
    if (cost > bp) return alpacaError.insufficientBuyingPower({ buying_power: formatMicros(bp), cost_basis: formatMicros(cost) });
    return null;
  }

  positionsJson(): AlpacaPositionJson[] {
    return this.#ledger.all().map((pos) => positionJson(pos, this.#prices.get(pos.symbol) ?? null, this.held(pos.symbol, pos.qty > 0n ? "sell" : "buy")));
  }

  positionJson(symbolOrAssetId: string): AlpacaPositionJson | undefined {
    const pos = this.#ledger.all().find((p) => p.symbol === symbolOrAssetId || p.assetId === symbolOrAssetId);
    return pos && positionJson(pos, this.#prices.get(pos.symbol) ?? null, this.held(pos.symbol, pos.qty > 0n ? "sell" : "buy"));
  }

  accountJson(): AlpacaAccountJson {
    let longMv = 0n;
    let shortMv = 0n;
    for (const pos of this.#ledger.all()) {
      const mv = marketValue(pos, this.#prices.get(pos.symbol) ?? null);
      if (mv >= 0n) longMv += mv;
      else shortMv += mv;
    }
    const equity = this.equity();
    const bp = formatMicros(this.buyingPower());
    const cash = formatMicros(this.#ledger.cash);
    return {
      id: this.#s.ids.named("account", "primary"),
      account_number: "PA3FAKE00001",
      status: "ACTIVE",
      crypto_status: "ACTIVE",
      currency: "USD",
      cash,
      equity: formatMicros(equity),
      last_equity: formatMicros(this.#s.startingCash),
      buying_power: bp,
      regt_buying_power: bp,
      daytrading_buying_power: "0",
      non_marginable_buying_power: bp,
      options_buying_power: bp,
      portfolio_value: formatMicros(equity),
      long_market_value: formatMicros(longMv),
      short_market_value: formatMicros(shortMv),
      initial_margin: "0",
      maintenance_margin: "0",
      last_maintenance_margin: "0",
      sma: "0",
      multiplier: this.#s.buyingPowerMultiplier.toString(),
      shorting_enabled: this.#s.shortingEnabled,
      trading_blocked: false,
      transfers_blocked: false,
      account_blocked: false,
      trade_suspended_by_user: false,
      pattern_day_trader: false,
      daytrade_count: 0,
      created_at: this.#createdAt,
      accrued_fees: "0",
      pending_transfer_in: "0",
      pending_transfer_out: "0",
      options_approved_level: 0,
      options_trading_level: 0,
      balance_asof: easternWallClock(this.#s.stamper.nowMs()).date,
      intraday_adjustments: "0",
      pending_reg_taf_fees: "0",
    };
  }
}
