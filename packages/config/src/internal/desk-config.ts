/**
 * The validated, defaults-filled, frozen desk configuration. Money is Micros,
 * quantities are Shares; every credential appears only as an environment
 * variable NAME in a `*Env` field.
 */
import type { Micros, Shares, Ticker } from "@mqk/core";

export const modes = ["BACKTEST", "PAPER", "LIVE"] as const;
export type Mode = (typeof modes)[number];

export const alpacaEnvironments = ["paper", "live"] as const;
export type AlpacaEnvironment = (typeof alpacaEnvironments)[number];

export interface AlpacaConfig {
  readonly environment: AlpacaEnvironment;
  readonly keyIdEnv: string;
  readonly secretKeyEnv: string;
  /** Override of the trading host (tests point it at 127.0.0.1). */
  readonly baseUrl?: string;
}

export type BrokerConfig = { readonly kind: "sim" } | { readonly kind: "alpaca"; readonly alpaca: AlpacaConfig };

export const barIntervals = ["1min", "5min", "15min", "30min", "1h", "1day"] as const;
export type BarInterval = (typeof barIntervals)[number];

export const marketDataPlans = ["free", "grow", "pro", "ultra", "enterprise"] as const;
export type MarketDataPlan = (typeof marketDataPlans)[number];

export interface MarketDataConfig {
  /** A registry name (twelvedata, fmp, csv, …): the md package resolves it (S1.7). */
  readonly provider: string;
  readonly apiKeyEnv?: string;
  readonly plan?: MarketDataPlan;
  readonly baseUrl?: string;
  readonly csvDir?: string;
  readonly symbols: readonly Ticker[];
  readonly interval: BarInterval;
}

export interface AlertChannelConfig {
  readonly webhookEnv: string;
}

export interface AlertsConfig {
  /** Channel name → where its webhook URL lives. Built-ins and custom names alike. */
  readonly channels: Readonly<Record<string, AlertChannelConfig>>;
  readonly heartbeatIntervalSeconds: number;
}

export interface RiskLimitsConfig {
  readonly maxOrderQty: Shares;
  readonly maxOrderNotional: Micros;
  readonly priceCollarBps: number;
  readonly maxPositionQty: Shares;
  readonly maxGrossExposure: Micros;
  readonly dailyLossLimit: Micros;
  readonly maxOrdersPerMinute: number;
}

export interface ReconcileConfig {
  readonly intervalSeconds: number;
  readonly freshnessSeconds: number;
  readonly cashTolerance: Micros;
}

export interface IntegrityConfig {
  readonly staleFeedGraceSeconds: number;
  readonly deadmanTimeoutSeconds: number;
  readonly gapDetection: boolean;
}

export const fillModels = ["conservative"] as const;
export type FillModel = (typeof fillModels)[number];

export interface BacktestConfig {
  readonly initialCash: Micros;
  readonly slippageBps: number;
  readonly feePerShare: Micros;
  readonly fillModel: FillModel;
  readonly stopOnCorporateActionAnomaly: boolean;
}

export type DatabaseConfig = { readonly source: "embedded"; readonly allowEmbeddedInLive: boolean } | { readonly source: "url"; readonly urlEnv: string };

export interface DeskConfig {
  readonly mode: Mode;
  readonly broker: BrokerConfig;
  readonly marketData: MarketDataConfig;
  readonly alerts: AlertsConfig;
  readonly risk: RiskLimitsConfig;
  readonly reconcile: ReconcileConfig;
  readonly integrity: IntegrityConfig;
  readonly backtest: BacktestConfig;
  readonly database: DatabaseConfig;
}

export interface LoadedConfig {
  readonly config: DeskConfig;
  readonly sourcePath: string;
}
