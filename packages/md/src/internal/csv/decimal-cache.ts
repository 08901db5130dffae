/**
 * The CSV reader's caches of core's conversions (A5). toMicros and toShares are
 * pure, so a bounded map from "the decimal a text spells" to their result gives
 * exactly their answer without re-parsing; a text they refuse is never cached.
 * Keys are numbers computed from the characters in place (no substring, no
 * string hashing), which is what makes the CSV path fast.
 */
import { NormalisationError, type Micros } from "@mqk/core";
import { normalisePrice, normaliseVolume, type PriceField, type PriceNormaliser, type VolumeNormaliser } from "../bar-validation.js";

/**
 * A number that identifies a plain decimal text — digits, at most one dot with
 * digits on both sides, no sign, no exponent, no blanks, at most 14 digits — by
 * its digits D and its count of fraction digits k: D × 16 + k. toMicros and
 * toShares are pure functions of (D, k) for such texts, so a cache keyed by it
 * returns exactly what they would. Any other text gives -1 and is not cached.
 * (Numeric keys hash far faster than fresh strings; no substring is needed.)
 */
export function plainDecimalKey(text: string, start = 0, end = text.length): number {
  const length = end - start;
  if (length <= 0 || length > 15) return -1;
  let digits = 0;
  let count = 0;
  let dot = -1;
  for (let i = start; i < end; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      digits = digits * 10 + (code - 48);
      count += 1;
    } else if (code === 46 && dot === -1 && i > start && i < end - 1) {
      dot = i;
    } else {
      return -1;
    }
  }
  if (count > 14) return -1;
  return digits * 16 + (dot === -1 ? 0 : end - dot - 1);
}

/** Base-39 number of a ticker text of ≤ 10 characters [A-Z][A-Z0-9.-]*, or -1. */
export function symbolKey(text: string, end: number): number {
  if (end <= 0 || end > 10) return -1;
  let key = 0;
  for (let i = 0; i < end; i += 1) {
    const code = text.charCodeAt(i);
    let digit: number;
    if (code >= 65 && code <= 90) digit = code - 64;
    else if (i > 0 && code >= 48 && code <= 57) digit = code - 21;
    else if (i > 0 && code === 46) digit = 37;
    else if (i > 0 && code === 45) digit = 38;
    else return -1;
    key = key * 39 + digit;
  }
  return key;
}

/** Bounded caches of toMicros / toShares results, keyed by plainDecimalKey. */
export class DecimalCaches {
  readonly prices = new Map<number, Micros>();
  readonly volumes = new Map<number, bigint>();
  readonly #max: number;

  constructor(maxEntries = 1 << 17) {
    this.#max = maxEntries;
  }

  /**
   * The price in text[start, end) when it is a plain decimal: from the cache, or
   * converted now by toMicros and cached. Undefined for anything else (including
   * a value toMicros refuses), which sends the bar down the slow path for its message.
   */
  knownPrice(text: string, start: number, end: number, field: PriceField): Micros | undefined {
    const key = plainDecimalKey(text, start, end);
    if (key < 0) return undefined;
    const hit = this.prices.get(key);
    if (hit !== undefined) return hit;
    return this.#convert(() => this.price(text.slice(start, end), field));
  }

  /** As knownPrice, for a volume through toShares. */
  knownVolume(text: string, start: number, end: number): bigint | undefined {
    const key = plainDecimalKey(text, start, end);
    if (key < 0) return undefined;
    const hit = this.volumes.get(key);
    if (hit !== undefined) return hit;
    return this.#convert(() => this.volume(text.slice(start, end)));
  }

  #convert<T>(convert: () => T): T | undefined {
    try {
      return convert();
    } catch (error) {
      if (error instanceof NormalisationError) return undefined;
      throw error;
    }
  }

  readonly price: PriceNormaliser = (input, field) => {
    const key = typeof input === "string" ? plainDecimalKey(input) : -1;
    if (key < 0) return normalisePrice(input, field);
    const hit = this.prices.get(key);
    if (hit !== undefined) return hit;
    const value = normalisePrice(input, field);
    if (this.prices.size >= this.#max) this.prices.clear();
    this.prices.set(key, value);
    return value;
  };

  readonly volume: VolumeNormaliser = (input) => {
    const key = typeof input === "string" ? plainDecimalKey(input) : -1;
    if (key < 0) return normaliseVolume(input);
    const hit = this.volumes.get(key);
    if (hit !== undefined) return hit;
    const value = normaliseVolume(input);
    if (this.volumes.size >= this.#max) this.volumes.clear();
    this.volumes.set(key, value);
    return value;
  };
}
