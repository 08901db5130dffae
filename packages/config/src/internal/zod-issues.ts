/**
 * zod issues → ConfigIssues: the YAML path, the leaf's "expected" phrase and
 * what the file holds at that path (described, never a secret verbatim).
 */
import type { z } from "zod";
import type { ConfigIssue } from "./config-error.js";
import { describeFound, formatPath, valueAt, type PathSegment } from "./describe-found.js";
import { knownKeysPrefix } from "./field-schemas.js";
import type { YamlTree } from "./read-yaml.js";

export function issuesFromZod(issues: readonly z.core.$ZodIssue[], tree: YamlTree): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const push = (path: readonly PathSegment[], expected: string, found: string): void => {
    const formatted = formatPath(path);
    if (out.some((i) => i.path === formatted && i.expected === expected)) return;
    out.push({ path: formatted, expected, found, ...tree.locate(path) });
  };
  for (const issue of issues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p !== "symbol");
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = issue.message.startsWith(knownKeysPrefix) ? issue.message.slice(knownKeysPrefix.length).split(", ") : [];
        for (const key of issue.keys) {
          const hint = closest(key, known);
          push([...path, key], issue.message, `the unknown key ${describeFound(key)}${hint === undefined ? "" : ` (did you mean ${hint}?)`}`);
        }
        break;
      }
      case "invalid_key": {
        const inner = issue.issues[0]?.message ?? "a valid key";
        const key = path[path.length - 1];
        push(path, inner, typeof key === "string" ? `the key ${describeFound(key)}` : "an invalid key");
        break;
      }
      default: {
        const params: unknown = "params" in issue ? issue.params : undefined;
        const last = path[path.length - 1];
        // A *Env field that is not a NAME probably holds the value itself: never show it.
        const found =
          params !== null && typeof params === "object" && "found" in params && typeof params.found === "string"
            ? params.found
            : typeof last === "string" && last.endsWith("Env") && valueAt(tree.data, path) !== undefined
              ? "a value that is not a variable NAME (not shown: it may be the secret itself)"
              : describeFound(valueAt(tree.data, path));
        push(path, issue.message, found);
      }
    }
  }
  return out;
}

/** The known key nearest to a misspelt one (edit distance ≤ 3), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
