/**
 * Text or file → DeskConfig, in fixed order: read, YAML, secret scan, schema,
 * cross-field rules. Each stage that fails returns a ConfigError; nothing is
 * thrown for bad input. The result is deeply frozen.
 */
import { readFileSync } from "node:fs";
import { err, ok, type Result } from "@mqk/core";
import { configError, type ConfigError } from "./config-error.js";
import { consistencyViolations } from "./consistency-rules.js";
import type { DeskConfig, LoadedConfig } from "./desk-config.js";
import { describeFound, formatPath, valueAt } from "./describe-found.js";
import { readYaml } from "./read-yaml.js";
import { secretLookingLines, secretLookingValues } from "./secret-scan.js";
import { deskConfigSchema } from "./section-schemas.js";
import { issuesFromZod } from "./zod-issues.js";

/** A config is a page of settings; anything larger is not one. */
export const maxConfigBytes = 1024 * 1024;

export function parseConfigText(text: string, sourceName: string): Result<DeskConfig, ConfigError> {
  const read = readYaml(text);
  if (!read.ok) return err(configError("yaml_syntax", sourceName, read.issues));
  const { tree } = read;
  const found = secretLookingValues(tree);
  const secrets = found.length > 0 ? found : secretLookingLines(text);
  if (secrets.length > 0) return err(configError("secret_in_config", sourceName, secrets));
  if (tree.data === null || tree.data === undefined) {
    return err(
      configError("schema", sourceName, [{ path: "", expected: "a mapping of settings (mode, broker, marketData, risk, …)", found: "an empty document" }]),
    );
  }
  const parsed = deskConfigSchema.safeParse(tree.data);
  if (!parsed.success) return err(configError("schema", sourceName, issuesFromZod(parsed.error.issues, tree)));
  const config: DeskConfig = withoutUndefined(parsed.data);
  const violations = consistencyViolations(config);
  if (violations.length > 0) {
    return err(
      configError(
        "schema",
        sourceName,
        violations.map((v) => ({
          path: formatPath(v.path),
          expected: v.expected,
          found: valueAt(tree.data, v.path) === undefined && v.found !== describeFound(undefined) ? `${v.found} (the default)` : v.found,
          ...tree.locate(v.path),
        })),
      ),
    );
  }
  return ok(deepFreeze(config));
}

export function loadConfigFile(path: string): Result<LoadedConfig, ConfigError> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = error !== null && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : "an unknown error";
    return err(configError("unreadable", path, [{ path: "", expected: "a readable config file", found: describeIoCode(code) }]));
  }
  if (bytes.length > maxConfigBytes) {
    return err(
      configError("unreadable", path, [
        { path: "", expected: `a config file of at most ${String(maxConfigBytes)} bytes`, found: `${String(bytes.length)} bytes` },
      ]),
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return err(configError("unreadable", path, [{ path: "", expected: "UTF-8 text", found: "bytes that are not valid UTF-8" }]));
  }
  const parsed = parseConfigText(text, path);
  return parsed.ok ? ok({ config: parsed.value, sourcePath: path }) : parsed;
}

function describeIoCode(code: string): string {
  switch (code) {
    case "ENOENT":
      return "no such file (ENOENT)";
    case "EACCES":
    case "EPERM":
      return `a file this process may not read (${code})`;
    case "EISDIR":
      return "a directory (EISDIR)";
    default:
      return `a read error (${code})`;
  }
}

/**
 * zod types an absent optional key as `?: T | undefined`; the desk's types say
 * `?: T` (exactOptionalPropertyTypes), so absent keys are dropped, never undefined.
 */
type WithoutUndefined<T> = T extends bigint | string | number | boolean
  ? T
  : T extends readonly (infer Item)[]
    ? readonly WithoutUndefined<Item>[]
    : { [K in keyof T]: WithoutUndefined<Exclude<T[K], undefined>> };

function withoutUndefined<T>(value: T): WithoutUndefined<T> {
  if (Array.isArray(value)) return value.map((item: unknown) => withoutUndefined(item)) as WithoutUndefined<T>;
  if (value === null || typeof value !== "object") return value as WithoutUndefined<T>;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = withoutUndefined(item);
  return out as WithoutUndefined<T>;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
