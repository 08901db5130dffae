/**
 * @mqk/config — the desk's YAML configuration: strict schema, canonical JSON, hash.
 *
 * Entry points: `loadConfigFile(path)` and `parseConfigText(text, name)` return
 * `Result<…, ConfigError>`; `formatConfigError` renders one line per issue;
 * `canonicalConfigJson` / `configHash` identify a config; `envNamesOf` lists the
 * environment variable NAMES it mentions (for @mqk/secrets).
 *
 * Invariants:
 *  1. Unknown keys are errors at every level; YAML tags, duplicate keys, several
 *     documents and numbers a double cannot hold exactly are refused.
 *  2. The config holds variable NAMES only: every `*Env` field matches
 *     ^[A-Z][A-Z0-9_]*$ and any secret-looking key or value anywhere is refused
 *     by its path (S1.2); no issue ever echoes a secret-looking value.
 *  3. Money enters as Micros and quantities as Shares through @mqk/core (A5),
 *     exact to the micro; slippage and fees below zero are refused (F1).
 *  4. Defaults are conservative (F2): integrity checks on, corporate-action
 *     anomalies stop a backtest, non-zero slippage and fees. Risk limits have
 *     no defaults.
 *  5. Mode, broker, market data and database agree: LIVE needs Alpaca live, an
 *     authenticated non-replay feed, live and alerts channels, gap detection on
 *     and a named database; PAPER never uses live keys; BACKTEST uses no broker.
 *  6. The canonical JSON and the hash depend only on the validated config, not
 *     on key order or layout; a returned config is deeply frozen.
 *
 * Must never: read environment variable values, hold or print a secret, guess
 * a value towards "allowed".
 */
export { loadConfigFile, parseConfigText, maxConfigBytes } from "./internal/parse-config.js";
export { formatConfigError, type ConfigError, type ConfigErrorKind, type ConfigIssue } from "./internal/config-error.js";
export { canonicalConfigJson, configHash } from "./internal/config-hash.js";
export { envNamesOf, type EnvNameRef, type EnvNameRole } from "./internal/env-names.js";
export { builtInAlertChannels, type BuiltInAlertChannel } from "./internal/alert-channels.js";
export { knownProviderNeeds, type KnownProviderNeeds } from "./internal/market-data-providers.js";
export { secretLook, maskSecretLookingText, type SecretLook, type MaskStrength } from "./internal/secret-detector.js";
export {
  modes,
  alpacaEnvironments,
  barIntervals,
  marketDataPlans,
  fillModels,
  type Mode,
  type DeskConfig,
  type LoadedConfig,
  type BrokerConfig,
  type AlpacaConfig,
  type AlpacaEnvironment,
  type MarketDataConfig,
  type MarketDataPlan,
  type BarInterval,
  type AlertsConfig,
  type AlertChannelConfig,
  type RiskLimitsConfig,
  type ReconcileConfig,
  type IntegrityConfig,
  type BacktestConfig,
  type FillModel,
  type DatabaseConfig,
} from "./internal/desk-config.js";
