/**
 * Alpaca's timestamps, exactly: RFC 3339 with up to nine fraction digits and any
 * offset ("2025-07-03T14:00:00.123456789Z", "2025-07-03T10:15:00.123456789-04:00")
 * → epoch nanoseconds as a bigint, with no float anywhere. `Date` alone would
 * keep milliseconds only, and the message ids and watermarks need every digit.
 */
import { DeskError } from "@mqk/core";

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function refuse(field: string, text: unknown, why: string): DeskError {
  const shown = typeof text === "string" ? JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text) : typeof text;
  return new DeskError("BAD_INPUT", `${field}: expected an RFC 3339 timestamp such as 2025-07-03T14:00:00.123456789Z (${why}), found ${shown}`);
}

/** Epoch nanoseconds of an RFC 3339 timestamp; throws DeskError BAD_INPUT on anything else (no leap second 60). */
export function parseTimestampNs(text: unknown, field = "timestamp"): bigint {
  if (typeof text !== "string") throw refuse(field, text, "not a string");
  const m = rfc3339.exec(text);
  if (m === null) throw refuse(field, text, "malformed");
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw refuse(field, text, "no such date");
  if (hour > 23 || minute > 59 || second > 59) throw refuse(field, text, "time of day out of range");
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) throw refuse(field, text, "offset out of range");
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  // Date.UTC is exact for whole seconds (integers far below 2^53); years 0–99 need setUTCFullYear.
  const base = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
  base.setUTCFullYear(year, month - 1, day);
  const wholeSeconds = BigInt(base.getTime() / 1000) - BigInt(offsetMinutes * 60);
  const fraction = BigInt((m[7] ?? "").padEnd(9, "0"));
  return wholeSeconds * NS_PER_SECOND + fraction;
}

/** RFC 3339 in UTC with nine fraction digits, e.g. for the `after` query parameter. */
export function formatTimestampNs(ns: bigint): string {
  const ms = ns >= 0n ? ns / NS_PER_MS : -((-ns + NS_PER_MS - 1n) / NS_PER_MS);
  const subMs = ns - ms * NS_PER_MS;
  const iso = new Date(Number(ms)).toISOString();
  return `${iso.slice(0, 23)}${subMs.toString().padStart(6, "0")}Z`;
}
