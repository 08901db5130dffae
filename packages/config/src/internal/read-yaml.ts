/**
 * YAML text → plain data, refusing everything that could make the file mean
 * something other than what it shows: syntax errors and warnings, duplicate
 * keys, several documents, explicit tags (other than !!str), unresolved
 * aliases, and numbers with more digits than a double holds exactly (money
 * must be written as a quoted decimal string then).
 */
import { isNode, LineCounter, parseDocument, type Document, type ScalarTag, type Tags } from "yaml";
import type { ConfigIssue } from "./config-error.js";
import type { PathSegment } from "./describe-found.js";
import { maskSecretLookingText } from "./secret-detector.js";

export interface YamlTree {
  readonly data: unknown;
  /** Line and column (1-based) of the node at `path`, or of its nearest existing ancestor. */
  locate(path: readonly PathSegment[]): { readonly line: number; readonly column: number } | undefined;
}

export type ReadYamlResult = { readonly ok: true; readonly tree: YamlTree } | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** A double holds 15 significant decimal digits exactly; more would be silently changed. */
const maxSignificantDigits = 15;

function significantDigits(source: string): number {
  const mantissa = source.replace(/[eE].*$/, "").replace(/[^0-9]/g, "");
  return mantissa.replace(/^0+/, "").replace(/0+$/, "").length;
}

function guardedNumberTags(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== "object" || !("resolve" in tag) || !/:(int|float)$/.test(tag.tag)) return tag;
    const scalarTag = tag as ScalarTag;
    const guarded: ScalarTag = {
      ...scalarTag,
      resolve: (source, onError, options) => {
        if (/^[-+]?[0-9]/.test(source) && significantDigits(source) > maxSignificantDigits) {
          onError(`a number with more than ${String(maxSignificantDigits)} significant digits cannot be held exactly; write it as a quoted decimal string`);
        }
        return scalarTag.resolve(source, onError, options);
      },
    };
    return guarded;
  });
}

const allowedTags = new Set(["tag:yaml.org,2002:str"]);

export function readYaml(text: string): ReadYamlResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, schema: "core", uniqueKeys: true, customTags: guardedNumberTags });
  const at = (offset: number): { line: number; column: number } => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const problems = [...doc.errors, ...doc.warnings].map((e) => yamlIssue(e.message, at(e.pos[0])));
  collectTagProblems(doc, problems, at);
  if (problems.length > 0) return { ok: false, issues: problems };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // toJS throws (ReferenceError) on an unresolved alias or an alias bomb.
    return { ok: false, issues: [yamlIssue(error instanceof Error ? error.message : "the document could not be converted", undefined)] };
  }
  return {
    ok: true,
    tree: {
      data,
      locate(path) {
        for (let n = path.length; n >= 0; n--) {
          const node: unknown = doc.getIn(path.slice(0, n), true);
          if (isNode(node) && node.range) return at(node.range[0]);
        }
        return undefined;
      },
    },
  };
}

function collectTagProblems(doc: Document, problems: ConfigIssue[], at: (offset: number) => { line: number; column: number }): void {
  const visit = (node: unknown): void => {
    if (!isNode(node)) return;
    if (node.tag !== undefined && !allowedTags.has(node.tag)) {
      problems.push({
        path: "",
        expected: "plain YAML without tags (only !!str is allowed)",
        found: `the tag ${JSON.stringify(maskSecretLookingText(node.tag))}`,
        ...(node.range ? at(node.range[0]) : {}),
      });
    }
    if ("items" in node && Array.isArray(node.items)) {
      for (const item of node.items as unknown[]) {
        if (isNode(item)) visit(item);
        else if (item !== null && typeof item === "object" && "key" in item && "value" in item) {
          visit(item.key);
          visit(item.value);
        }
      }
    }
  };
  visit(doc.contents);
}

function yamlIssue(message: string, position: { line: number; column: number } | undefined): ConfigIssue {
  // The library's text names the problem; it may quote the source, so mask it.
  const text = maskSecretLookingText(message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
  return { path: "", expected: "valid YAML", found: JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text), ...(position ?? {}) };
}
