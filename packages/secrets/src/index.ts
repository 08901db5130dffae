/**
 * @mqk/secrets — where the desk's credentials come from and how they stay hidden.
 *
 * Entry points: `loadDevelopmentEnv` (dotenv, development only), then
 * `resolveSecrets(config)` once at start → one `ResolvedSecrets` handed to
 * constructors as their `SecretSource`; `formatMissingSecrets` for the refusal;
 * `redactLogLine` for log lines; `secretRequirements` for the proof bundle.
 *
 * Invariants:
 *  1. `.env.local` is read only when MQK_ENV=development is set in the real
 *     environment, never in LIVE (refused), never overriding a set variable;
 *     a missing file is not an error (S1.1).
 *  2. The environment is read once, at start, for exactly the NAMES the config
 *     mentions; nothing else in the desk reads process.env for credentials (S1.3).
 *  3. LIVE refuses without every named variable; PAPER without broker, provider
 *     and database ones; BACKTEST requires none. Refusals list NAMES only (S1.4).
 *  4. A `Secret` or `ResolvedSecrets` prints "[redacted]" or names/presence
 *     through toString, toJSON, template literals and util.inspect; `redact`
 *     removes every value and its encoded forms from text (S1.5).
 *
 * Must never: put a secret value in an error, a log line, JSON or an artifact;
 * read a variable the config does not name; guess that a missing secret is fine.
 */
export { Secret } from "./internal/secret.js";
export type { SecretSource } from "./internal/secret-source.js";
export type { ResolvedSecrets, Presence } from "./internal/resolved-secrets.js";
export { resolveSecrets, formatMissingSecrets, type MissingSecretsError, type MissingSecret } from "./internal/resolve-secrets.js";
export { secretRequirements, type SecretRequirement } from "./internal/secret-requirements.js";
export {
  loadDevelopmentEnv,
  developmentEnvFileName,
  developmentSwitch,
  type DevelopmentEnvOptions,
  type DevelopmentEnvOutcome,
  type DevelopmentEnvError,
} from "./internal/development-env.js";
export { redactLogLine, type Redactor } from "./internal/redaction.js";
