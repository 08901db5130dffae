/**
 * Leaf schemas. Every one carries its own "expected …" phrase as the zod
 * message, so an issue reads `path: expected <phrase>, found <value>`.
 * Numbers from the file reach Micros/Shares only through @mqk/core (A5).
 */
import { asTicker, NormalisationError, toMicros, toShares, DeskError, type Micros, type Shares, type Ticker } from "@mqk/core";
import { z } from "zod";

/** The message prefix of an unknown-key issue; zod-issues.ts reads the list back. */
export const knownKeysPrefix = "one of the known keys here: ";

/** A mapping that refuses unknown keys and names the keys it knows. */
export function strict<Shape extends z.ZodRawShape>(shape: Shape, what = "a mapping of settings"): z.ZodObject<Shape, z.core.$strict> {
  const known = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `${knownKeysPrefix}${known}` : `${what} (keys: ${known})`),
  });
}

export const envNamePattern = /^[A-Z][A-Z0-9_]*$/;

/** S1.2: the NAME of an environment variable, never its value. */
export function envName(): z.ZodString {
  const expected = "an environment variable NAME such as ALPACA_PAPER_KEY_ID (upper case, digits and _; the value itself belongs in the environment)";
  return z.string({ error: expected }).max(128, { error: expected }).regex(envNamePattern, { error: expected });
}

export function integerIn(min: number, max: number, unit: string, why = ""): z.ZodInt {
  const expected = `an integer from ${String(min)} to ${String(max)}${unit === "" ? "" : ` ${unit}`}${why === "" ? "" : ` (${why})`}`;
  return z.int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

export function oneOf<const Values extends readonly [string, ...string[]]>(values: Values): z.ZodEnum<{ [K in Values[number]]: K }> {
  return z.enum(values, { error: `one of ${values.join(", ")}` });
}

export function flag(): z.ZodBoolean {
  return z.boolean({ error: "true or false" });
}

type AmountSign = "positive" | "nonNegative";

/** Dollars as a decimal string or number → Micros, exact to the micro (no silent rounding). */
export function money(sign: AmountSign, why = ""): z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<Micros, string | number>> {
  const expected = `a decimal amount ${sign === "positive" ? "> 0" : "≥ 0"}${why === "" ? "" : ` (${why})`}`;
  return z.union([z.string(), z.number()], { error: expected }).transform((value, ctx): Micros => {
    try {
      const floor = toMicros(value, { sign, rounding: "FLOOR" });
      if (toMicros(value, { sign, rounding: "CEIL" }) !== floor) {
        ctx.addIssue({ code: "custom", message: `${expected} with at most 6 decimal places` });
        return z.NEVER;
      }
      return floor;
    } catch (error) {
      if (!(error instanceof NormalisationError)) throw error;
      ctx.addIssue({ code: "custom", message: expected });
      return z.NEVER;
    }
  });
}

/** Whole shares > 0 from a number or decimal string. */
export function shares(): z.ZodPipe<z.ZodUnion<readonly [z.ZodNumber, z.ZodString]>, z.ZodTransform<Shares, string | number>> {
  const expected = "a whole number of shares > 0";
  return z.union([z.number(), z.string()], { error: expected }).transform((value, ctx): Shares => {
    try {
      return toShares(value, { sign: "positive" });
    } catch (error) {
      if (!(error instanceof NormalisationError)) throw error;
      ctx.addIssue({ code: "custom", message: expected });
      return z.NEVER;
    }
  });
}

export function ticker(): z.ZodPipe<z.ZodString, z.ZodTransform<Ticker, string>> {
  const expected = "an upper-case ticker such as AAPL or BRK.B";
  return z.string({ error: expected }).transform((value, ctx): Ticker => {
    try {
      return asTicker(value);
    } catch (error) {
      if (!(error instanceof DeskError)) throw error;
      ctx.addIssue({ code: "custom", message: expected });
      return z.NEVER;
    }
  });
}

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * A base URL: http(s) only, https unless the host is loopback (tests), and no
 * credentials, query or fragment — keys never travel inside a configured URL.
 */
export function baseUrl(): z.ZodString {
  const expected = "an https URL without credentials, query or fragment (http only for 127.0.0.1/localhost), e.g. https://paper-api.alpaca.markets";
  return z.string({ error: expected }).superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: expected });
      return;
    }
    const problem =
      url.protocol !== "https:" && url.protocol !== "http:"
        ? "an http(s) URL"
        : url.protocol === "http:" && !loopbackHosts.has(url.hostname)
          ? "https (plain http is allowed only for 127.0.0.1/localhost)"
          : url.username !== "" || url.password !== ""
            ? "a URL without credentials (user:password@)"
            : url.search !== "" || value.includes("?")
              ? "a URL without a query string (keys never go in a configured URL)"
              : url.hash !== "" || value.includes("#")
                ? "a URL without a fragment"
                : undefined;
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: `${problem}; ${expected}` });
  });
}

/** A non-empty relative or absolute path. */
export function pathText(): z.ZodString {
  const expected = "a non-empty directory path such as data/daily";
  return z.string({ error: expected }).min(1, { error: expected }).max(1024, { error: expected });
}
