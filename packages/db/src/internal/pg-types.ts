import { pg, type Pg } from "./runtime-deps.js";

/**
 * Per-pool type parsing (never a global mutation of pg.types, which would change
 * every other pool in the process):
 *   int8 / bigint / bigserial (oid 20) → bigint   money micros and shares stay exact
 *   int8[] (oid 1016)                  → bigint[] (NULL elements → null)
 *   date (oid 1082)                    → "YYYY-MM-DD" string: pg's default builds a Date at
 *                                        LOCAL midnight, which shifts the day in another zone
 *   numeric                            → string (pg's default; we never store money in it)
 *   timestamptz                        → Date (pg's default)
 */
const INT8 = 20;
const INT8_ARRAY = 1016;
const DATE = 1082;

type TypeParser = (value: string) => unknown;
type GetTypeParser = Pg["types"]["getTypeParser"];

export function parseInt8Array(text: string): (bigint | null)[] {
  const inner = text.slice(1, -1).trim();
  if (inner === "") return [];
  return inner.split(",").map((item) => (item === "NULL" ? null : BigInt(item)));
}

function getTypeParser(oid: number, format?: "text" | "binary"): TypeParser {
  if (format === undefined || format === "text") {
    switch (oid) {
      case INT8:
        return (value) => BigInt(value);
      case INT8_ARRAY:
        return parseInt8Array;
      case DATE:
        return (value) => value;
      default:
        break;
    }
  }
  return (pg.types.getTypeParser as (oid: number, format?: "text" | "binary") => TypeParser)(oid, format);
}

export const deskTypes = { getTypeParser: getTypeParser as unknown as GetTypeParser };
