/**
 * How an issue names a path and shows what was found, without ever echoing a
 * value (or key) that looks like a secret.
 */
import { secretLook } from "./secret-detector.js";

export type PathSegment = string | number;

const maxShown = 60;
const plainKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${String(segment)}]`;
    else if (secretLook(segment) !== undefined) out += "[a key that looks like a secret]";
    else if (plainKey.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(clip(segment))}]`;
  }
  return out;
}

function clip(text: string): string {
  return text.length > maxShown ? `${text.slice(0, maxShown)}…` : text;
}

/** The value found at a path, for "found …" in an issue. */
export function describeFound(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (value === null) return "null (an empty value)";
  if (typeof value === "string") {
    const look = secretLook(value);
    if (look !== undefined) return `a value that looks like a secret (${look})`;
    return JSON.stringify(clip(value));
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return `a list of ${String(value.length)} item${value.length === 1 ? "" : "s"}`;
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

/** The raw (pre-schema) value at `path`, or undefined when the path does not exist. */
export function valueAt(tree: unknown, path: readonly PathSegment[]): unknown {
  let node = tree;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    if (Array.isArray(node)) {
      if (typeof segment !== "number") return undefined;
      node = node[segment];
    } else {
      if (!Object.hasOwn(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[String(segment)];
    }
  }
  return node;
}
