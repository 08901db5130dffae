/**
 * S1.3 + S1.4: reads each NAME the config mentions from the environment
 * exactly once and refuses, by mode, when a required one is not set. The
 * refusal lists NAMES (and the config paths that name them), never values.
 */
import type { DeskConfig, Mode } from "@mqk/config";
import { err, ok, type Result } from "@mqk/core";
import { ResolvedSecrets } from "./resolved-secrets.js";
import { secretRequirements } from "./secret-requirements.js";
import { Secret } from "./secret.js";

export interface MissingSecret {
  readonly name: string;
  readonly paths: readonly string[];
}

export interface MissingSecretsError {
  readonly kind: "missing_secrets";
  readonly mode: Mode;
  readonly missing: readonly MissingSecret[];
}

/** Empty or blank values count as unset: an empty string is never a credential. */
function valueOf(raw: string | undefined): string | undefined {
  return raw === undefined || raw.trim() === "" ? undefined : raw;
}

export function resolveSecrets(
  config: DeskConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Result<ResolvedSecrets, MissingSecretsError> {
  const values = new Map<string, Secret | undefined>();
  const missing: MissingSecret[] = [];
  for (const requirement of secretRequirements(config)) {
    const value = valueOf(env[requirement.name]);
    values.set(requirement.name, value === undefined ? undefined : new Secret(requirement.name, value));
    if (value === undefined && requirement.required) missing.push({ name: requirement.name, paths: requirement.paths });
  }
  if (missing.length > 0) return err({ kind: "missing_secrets", mode: config.mode, missing });
  return ok(new ResolvedSecrets(values));
}

/** One header line, then one line per missing NAME. */
export function formatMissingSecrets(error: MissingSecretsError): string {
  const count = error.missing.length;
  const where = error.mode === "LIVE" ? "the environment (.env.local is never read in LIVE)" : "the environment (or .env.local with MQK_ENV=development)";
  const lines = error.missing.map((m) => `  ${m.name} (named by ${m.paths.join(", ")})`);
  return [
    `${error.mode} refuses to start: ${String(count)} required environment variable${count === 1 ? " is" : "s are"} not set. Set ${count === 1 ? "it" : "them"} in ${where}:`,
    ...lines,
  ].join("\n");
}
