/**
 * The JSON shapes the fake sends (API-BRIEF §1.5, §1.9), typed so tests can
 * read them without casts. Money and quantities are decimal strings.
 */
import type { OrderStatus, PositionIntent } from "./fake-order.js";
import type { OrderSide, OrderType, TimeInForce } from "./order-request.js";

export interface AlpacaOrderJson {
  readonly id: string;
  readonly client_order_id: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly submitted_at: string;
  readonly filled_at: string | null;
  readonly expired_at: string | null;
  readonly expires_at: string | null;
  readonly canceled_at: string | null;
  readonly failed_at: string | null;
  readonly replaced_at: string | null;
  readonly replaced_by: string | null;
  readonly replaces: string | null;
  readonly asset_id: string;
  readonly symbol: string;
  readonly asset_class: "us_equity";
  readonly notional: null;
  readonly qty: string;
  readonly filled_qty: string;
  readonly filled_avg_price: string | null;
  readonly order_class: "" | "simple";
  readonly order_type: OrderType;
  readonly type: OrderType;
  readonly side: OrderSide;
  readonly position_intent: PositionIntent;
  readonly time_in_force: TimeInForce;
  readonly limit_price: string | null;
  readonly stop_price: string | null;
  readonly status: OrderStatus;
  readonly extended_hours: boolean;
  readonly legs: null;
  readonly trail_percent: string | null;
  readonly trail_price: string | null;
  readonly hwm: null;
  readonly source: null;
  readonly subtag: null;
}

export interface AlpacaPositionJson {
  readonly asset_id: string;
  readonly symbol: string;
  readonly exchange: string;
  readonly asset_class: "us_equity";
  readonly asset_marginable: boolean;
  readonly avg_entry_price: string;
  readonly qty: string;
  readonly qty_available: string;
  readonly side: "long" | "short";
  readonly market_value: string;
  readonly cost_basis: string;
  readonly unrealized_pl: string;
  readonly unrealized_plpc: string;
  readonly unrealized_intraday_pl: string;
  readonly unrealized_intraday_plpc: string;
  readonly current_price: string;
  readonly lastday_price: string;
  readonly change_today: string;
}

export interface AlpacaAccountJson {
  readonly id: string;
  readonly account_number: string;
  readonly status: "ACTIVE";
  readonly crypto_status: string;
  readonly currency: "USD";
  readonly cash: string;
  readonly equity: string;
  readonly last_equity: string;
  readonly buying_power: string;
  readonly regt_buying_power: string;
  readonly daytrading_buying_power: string;
  readonly non_marginable_buying_power: string;
  readonly options_buying_power: string;
  readonly portfolio_value: string;
  readonly long_market_value: string;
  readonly short_market_value: string;
  readonly initial_margin: string;
  readonly maintenance_margin: string;
  readonly last_maintenance_margin: string;
  readonly sma: string;
  readonly multiplier: string;
  readonly shorting_enabled: boolean;
  readonly trading_blocked: boolean;
  readonly transfers_blocked: boolean;
  readonly account_blocked: boolean;
  readonly trade_suspended_by_user: boolean;
  readonly pattern_day_trader: boolean;
  readonly daytrade_count: number;
  readonly created_at: string;
  readonly accrued_fees: string;
  readonly pending_transfer_in: string;
  readonly pending_transfer_out: string;
  readonly options_approved_level: number;
  readonly options_trading_level: number;
  readonly balance_asof: string;
  readonly intraday_adjustments: string;
  readonly pending_reg_taf_fees: string;
}

export interface AlpacaClockJson {
  readonly timestamp: string;
  readonly is_open: boolean;
  readonly next_open: string;
  readonly next_close: string;
}
