/**
 * S1.2: walks every key and string value of the raw YAML data, whatever the
 * schema says, and reports each secret-looking one by its path. Runs before
 * the schema so that a secret under an unknown key is still reported as a
 * secret (and never echoed as "the unknown key …").
 */
import type { ConfigIssue } from "./config-error.js";
import { formatPath, type PathSegment } from "./describe-found.js";
import type { YamlTree } from "./read-yaml.js";
import { secretLook } from "./secret-detector.js";

const envFieldExpected = "an environment variable NAME such as ALPACA_PAPER_KEY_ID: the value itself belongs in the environment (or .env.local in development)";
const otherFieldExpected = "no secret values in the config: put the value in an environment variable and write its NAME in the matching *Env field";

export function secretLookingValues(tree: YamlTree): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const report = (path: readonly PathSegment[], expected: string, found: string): void => {
    out.push({ path: formatPath(path), expected, found, ...tree.locate(path) });
  };
  const walk = (value: unknown, path: readonly PathSegment[]): void => {
    if (typeof value === "string") {
      const look = secretLook(value);
      const last = path[path.length - 1];
      if (look !== undefined)
        report(path, typeof last === "string" && last.endsWith("Env") ? envFieldExpected : otherFieldExpected, `a value that looks like a secret (${look})`);
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => walk(item, [...path, i]));
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        const look = secretLook(key);
        if (look !== undefined) report(path, `${otherFieldExpected} (keys included)`, `a key that looks like a secret (${look})`);
        else walk(item, [...path, key]);
      }
    }
  };
  walk(tree.data, []);
  return out;
}

/**
 * The same check over every line of the file, so that a credential in a YAML
 * comment (which never reaches the data) is refused too: a config file gets
 * committed, and a comment in git leaks as well as a value.
 */
export function secretLookingLines(text: string): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const look = secretLook(line);
    if (look !== undefined)
      out.push({
        path: "",
        expected: "no secrets anywhere in the file, comments included",
        found: `a line that looks like it holds a secret (${look})`,
        line: i + 1,
        column: 1,
      });
  });
  return out;
}
