/**
 * The one error shape of config loading: a kind and a list of issues, each
 * naming the YAML path, what was expected and what was found. An issue never
 * carries a secret-looking value verbatim (see describe-found.ts).
 */
export type ConfigErrorKind = "unreadable" | "yaml_syntax" | "schema" | "secret_in_config";

export interface ConfigIssue {
  /** Dotted YAML path such as `risk.maxOrderNotional` or `marketData.symbols[1]`; "" for the whole file. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
  /** 1-based position in the file, when the path can be located. */
  readonly line?: number;
  readonly column?: number;
}

export interface ConfigError {
  readonly kind: ConfigErrorKind;
  /** The file path (or the name the caller gave the text). */
  readonly sourceName: string;
  readonly issues: readonly ConfigIssue[];
}

export function configError(kind: ConfigErrorKind, sourceName: string, issues: readonly ConfigIssue[]): ConfigError {
  return { kind, sourceName, issues };
}

/**
 * One line per issue:
 * `configs/x.yaml: risk.maxOrderNotional: expected a decimal amount ≥ 0, found "abc" (line 12, column 21)`.
 */
export function formatConfigError(error: ConfigError): string {
  return error.issues.map((issue) => formatIssue(error.sourceName, issue)).join("\n");
}

function formatIssue(sourceName: string, issue: ConfigIssue): string {
  const where = issue.path === "" ? "" : `${issue.path}: `;
  const position = issue.line === undefined ? "" : ` (line ${String(issue.line)}${issue.column === undefined ? "" : `, column ${String(issue.column)}`})`;
  return `${sourceName}: ${where}expected ${issue.expected}, found ${issue.found}${position}`;
}
