/**
 * S1.4: which of the NAMES a config mentions must be set, by mode. Fail closed:
 *  - LIVE: every NAME the config mentions (broker keys, provider key, every
 *    webhook including live and alerts — the config guarantees those two are
 *    declared — and the database URL).
 *  - PAPER: broker keys (Alpaca paper; sim has none), the provider key when
 *    the config names one (the config requires it for providers that need it),
 *    the database URL when named. Webhooks are optional.
 *  - BACKTEST: nothing is required; whatever is set is still resolved.
 */
import { envNamesOf, type DeskConfig, type EnvNameRole, type Mode } from "@mqk/config";

export interface SecretRequirement {
  readonly name: string;
  /** Every config path that names this variable. */
  readonly paths: readonly string[];
  readonly roles: readonly EnvNameRole[];
  readonly required: boolean;
}

function requiredIn(mode: Mode, role: EnvNameRole): boolean {
  switch (mode) {
    case "LIVE":
      return true;
    case "PAPER":
      return role !== "alert-webhook";
    case "BACKTEST":
      return false;
    default: {
      const unreachable: never = mode;
      throw new TypeError(`unknown mode ${String(unreachable)}`);
    }
  }
}

/** One entry per distinct NAME, in the order the config mentions them. */
export function secretRequirements(config: DeskConfig): readonly SecretRequirement[] {
  const byName = new Map<string, { paths: string[]; roles: EnvNameRole[]; required: boolean }>();
  for (const ref of envNamesOf(config)) {
    const entry = byName.get(ref.name) ?? { paths: [], roles: [], required: false };
    entry.paths.push(ref.path);
    if (!entry.roles.includes(ref.role)) entry.roles.push(ref.role);
    entry.required ||= requiredIn(config.mode, ref.role);
    byName.set(ref.name, entry);
  }
  return [...byName].map(([name, entry]) => ({ name, paths: entry.paths, roles: entry.roles, required: entry.required }));
}
