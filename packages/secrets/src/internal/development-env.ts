/**
 * S1.1: `.env.local` is read only in development, and development means
 * MQK_ENV=development set in the real environment (never by the file itself).
 * LIVE refuses development outright (warning and carrying on would not be
 * fail-closed). A missing file is never an error. Values already in the
 * environment always win; empty values are not applied. Reports NAMES only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Mode } from "@mqk/config";
import { err, ok, type Result } from "@mqk/core";
import { parse } from "dotenv";

export const developmentEnvFileName = ".env.local";
export const developmentSwitch = "MQK_ENV";

export interface DevelopmentEnvOptions {
  readonly mode: Mode;
  /** Directory holding .env.local (the repository root). */
  readonly cwd: string;
  /** The environment to read MQK_ENV from and to fill. Default: process.env. */
  readonly env?: Record<string, string | undefined>;
}

export type DevelopmentEnvOutcome =
  | { readonly loaded: false; readonly reason: "not_development"; readonly detail: string }
  | { readonly loaded: false; readonly reason: "file_missing"; readonly path: string }
  | {
      readonly loaded: true;
      readonly path: string;
      /** NAMES set from the file. */
      readonly applied: readonly string[];
      /** NAMES in the file left alone because the environment already had them. */
      readonly kept: readonly string[];
      /** NAMES with an empty value in the file (not applied: empty is not a value). */
      readonly empty: readonly string[];
    };

export interface DevelopmentEnvError {
  readonly kind: "live_refuses_development" | "unreadable";
  readonly message: string;
}

export function loadDevelopmentEnv(options: DevelopmentEnvOptions): Result<DevelopmentEnvOutcome, DevelopmentEnvError> {
  const env = options.env ?? process.env;
  const switchValue = env[developmentSwitch];
  if (switchValue !== "development") {
    const detail = switchValue === undefined ? `${developmentSwitch} is not set` : `${developmentSwitch} is not "development"`;
    return ok({ loaded: false, reason: "not_development", detail });
  }
  if (options.mode === "LIVE") {
    return err({
      kind: "live_refuses_development",
      message: `${developmentSwitch}=development is set but the config's mode is LIVE: LIVE never reads ${developmentEnvFileName}. Unset ${developmentSwitch} to run LIVE, or use a PAPER config for development.`,
    });
  }
  const path = join(options.cwd, developmentEnvFileName);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = error !== null && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : "unknown";
    if (code === "ENOENT") return ok({ loaded: false, reason: "file_missing", path });
    return err({ kind: "unreadable", message: `${path} exists but cannot be read (${code}); fix its permissions or remove it` });
  }
  const applied: string[] = [];
  const kept: string[] = [];
  const empty: string[] = [];
  for (const [name, value] of Object.entries(parse(text))) {
    // The switch itself only counts when set outside the file.
    if (name === developmentSwitch) continue;
    if (env[name] !== undefined) kept.push(name);
    else if (value.trim() === "") empty.push(name);
    else {
      env[name] = value;
      applied.push(name);
    }
  }
  return ok({ loaded: true, path, applied, kept, empty });
}
