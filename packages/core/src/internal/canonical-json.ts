import { createHash } from "node:crypto";

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, bigint as a
 * decimal string, undefined properties dropped. Refuses what JSON cannot say
 * exactly (NaN, ±Infinity, functions, symbols, cycles) rather than guessing.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set<object>(), "$");
}

function write(value: unknown, seen: Set<object>, path: string): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return JSON.stringify(value.toString());
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${path} is ${String(value)}; only finite numbers can be written`);
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (seen.has(value)) throw new TypeError(`canonicalJson: ${path} is a cycle`);
      seen.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = `[${value.map((item: unknown, i) => (item === undefined ? "null" : write(item, seen, `${path}[${String(i)}]`))).join(",")}]`;
      } else if (value instanceof Date) {
        out = JSON.stringify(value.toISOString());
      } else {
        const entries = Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        out = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${write(v, seen, `${path}.${k}`)}`).join(",")}}`;
      }
      seen.delete(value);
      return out;
    }
    default:
      throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, which JSON cannot hold`);
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
