/**
 * Faults for the market-data fakes, consumed request by request: each fault
 * applies to its next `times` requests (default: until replaced), then the next
 * fault in the list takes over; an empty list serves normally.
 */
export type BadBarDefect =
  | "nanString"
  | "infinity"
  | "negativePrice"
  | "zeroPrice"
  | "emptyPrice"
  | "highBelowLow"
  | "highBelowClose"
  | "lowAboveOpen"
  | "negativeVolume"
  | "fractionalVolume"
  | "duplicate"
  | "outOfOrder"
  | "badDatetime"
  | "gap";

export const badBarDefects: readonly BadBarDefect[] = [
  "nanString",
  "infinity",
  "negativePrice",
  "zeroPrice",
  "emptyPrice",
  "highBelowLow",
  "highBelowClose",
  "lowAboveOpen",
  "negativeVolume",
  "fractionalVolume",
  "duplicate",
  "outOfOrder",
  "badDatetime",
  "gap",
];

export type MarketDataFault =
  /** HTTP 429 (or the 429 envelope with HTTP 200 in "always200" mode). */
  | { readonly kind: "rateLimited"; readonly times?: number }
  | { readonly kind: "serverError"; readonly status?: number; readonly times?: number }
  /** TwelveData: `{"status":"error","code":…}` (HTTP per the status mode); FMP: `{"Error Message": …}` with HTTP 200. */
  | { readonly kind: "errorEnvelope"; readonly code?: number; readonly message: string; readonly times?: number }
  | { readonly kind: "slow"; readonly delayMs: number; readonly times?: number }
  | { readonly kind: "malformedJson"; readonly times?: number }
  | { readonly kind: "badBars"; readonly defect: BadBarDefect; readonly times?: number };

function isFaultList(faults: MarketDataFault | readonly MarketDataFault[]): faults is readonly MarketDataFault[] {
  return Array.isArray(faults);
}

export class FaultSchedule {
  #queue: { fault: MarketDataFault; left: number }[] = [];

  set(faults: MarketDataFault | readonly MarketDataFault[] | null): void {
    const list: readonly MarketDataFault[] = faults === null ? [] : isFaultList(faults) ? faults : [faults];
    this.#queue = list.map((fault) => ({ fault, left: fault.times ?? Number.POSITIVE_INFINITY }));
  }

  /** The fault for this request, if any (consumes one use). */
  next(): MarketDataFault | undefined {
    const head = this.#queue[0];
    if (head === undefined) return undefined;
    head.left -= 1;
    if (head.left <= 0) this.#queue.shift();
    return head.fault;
  }
}

/** Rows as the provider prints them, newest first, in the order a defect leaves them. */
export function applyDefect<Row extends Record<string, unknown>>(
  rows: Row[],
  defect: BadBarDefect,
  priceKeys: { open: string; high: string; low: string; close: string; volume: string; time: string },
  asString: boolean,
): Row[] {
  if (rows.length < 3) return rows;
  const out = rows.map((row) => ({ ...row }));
  const target = out[1] as Record<string, unknown>;
  const num = (text: string): string | number => (asString ? text : Number(text));
  switch (defect) {
    case "nanString":
      target[priceKeys.close] = "NaN";
      break;
    case "infinity":
      target[priceKeys.high] = "Infinity"; // JSON has no Infinity number: FMP rows get the string too
      break;
    case "negativePrice":
      target[priceKeys.low] = num("-1.5");
      break;
    case "zeroPrice":
      target[priceKeys.open] = num("0");
      target[priceKeys.low] = num("0");
      break;
    case "emptyPrice":
      target[priceKeys.open] = asString ? "" : null;
      break;
    case "highBelowLow": {
      const high = target[priceKeys.high];
      target[priceKeys.high] = target[priceKeys.low];
      target[priceKeys.low] = high;
      break;
    }
    case "highBelowClose":
      target[priceKeys.high] = target[priceKeys.low];
      break;
    case "lowAboveOpen":
      target[priceKeys.low] = target[priceKeys.high];
      break;
    case "negativeVolume":
      target[priceKeys.volume] = num("-100");
      break;
    case "fractionalVolume":
      target[priceKeys.volume] = num("100.5");
      break;
    case "duplicate":
      out.splice(1, 0, { ...(out[1] as Row) });
      break;
    case "outOfOrder": {
      const [a, b] = [out[1], out[2]];
      if (a !== undefined && b !== undefined) {
        out[1] = b;
        out[2] = a;
      }
      break;
    }
    case "badDatetime":
      target[priceKeys.time] = "2024-13-45";
      break;
    case "gap":
      out.splice(1, 1);
      break;
    default:
      break;
  }
  return out;
}
