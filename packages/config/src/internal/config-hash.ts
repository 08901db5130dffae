/**
 * The canonical form of a validated config (sorted keys, no whitespace, money
 * as integer-micros strings, defaults filled) and its sha256. Two files that
 * mean the same config hash the same, whatever their key order or layout.
 * The config holds only variable NAMES, so neither can carry a secret (S1.5).
 */
import { canonicalJson, sha256Hex } from "@mqk/core";
import type { DeskConfig } from "./desk-config.js";

export function canonicalConfigJson(config: DeskConfig): string {
  return canonicalJson(config);
}

export function configHash(config: DeskConfig): string {
  return sha256Hex(canonicalConfigJson(config));
}
