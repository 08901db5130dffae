/**
 * Maps the config's `marketData.provider` name to a factory (S1.7). Adding a
 * provider is a new adapter plus one `registerProvider` call — no other module
 * changes. Each registry is its own object: registering in one never affects
 * another (no global state).
 */
import { DeskError } from "@mqk/core";
import type { SecretSource } from "@mqk/secrets";
import { createCsvProvider } from "./csv/csv-provider.js";
import { createFmpProvider } from "./fmp/fmp-provider.js";
import type { MarketDataProvider, MarketDataSettings, ProviderDeps, ProviderFactory } from "./provider.js";
import { createTwelveDataProvider } from "./twelvedata/twelvedata-provider.js";

export interface ProviderRegistry {
  /** Adds a provider; a name already taken is refused (no silent replacement). */
  registerProvider(name: string, factory: ProviderFactory): void;
  has(name: string): boolean;
  names(): readonly string[];
  /** Builds the provider `settings.provider` names. */
  create(settings: MarketDataSettings, secrets: SecretSource, deps: ProviderDeps): MarketDataProvider;
}

export const builtInProviders: Readonly<Record<"twelvedata" | "fmp" | "csv", ProviderFactory>> = {
  twelvedata: createTwelveDataProvider,
  fmp: createFmpProvider,
  csv: (settings, _secrets, deps) => createCsvProvider(settings, deps),
};

const namePattern = /^[a-z][a-z0-9-]{0,31}$/;

class MapRegistry implements ProviderRegistry {
  readonly #factories = new Map<string, ProviderFactory>();

  registerProvider(name: string, factory: ProviderFactory): void {
    if (!namePattern.test(name))
      throw new DeskError("BAD_INPUT", `provider registry: expected a lower-case name such as "twelvedata", found ${JSON.stringify(name.slice(0, 40))}`);
    if (this.#factories.has(name)) throw new DeskError("BAD_INPUT", `provider registry: "${name}" is already registered; pick another name`);
    this.#factories.set(name, factory);
  }

  has(name: string): boolean {
    return this.#factories.has(name);
  }

  names(): readonly string[] {
    return [...this.#factories.keys()].sort();
  }

  create(settings: MarketDataSettings, secrets: SecretSource, deps: ProviderDeps): MarketDataProvider {
    const factory = this.#factories.get(settings.provider);
    if (factory === undefined) {
      throw new DeskError(
        "CONFIG_INVALID",
        `marketData.provider: expected one of ${this.names().join(", ") || "(none registered)"}, found ${JSON.stringify(settings.provider.slice(0, 40))}`,
      );
    }
    const provider = factory(settings, secrets, deps);
    if (provider.name !== settings.provider) {
      throw new DeskError("INTERNAL", `provider registry: the factory for "${settings.provider}" built a provider named "${provider.name}"`);
    }
    return provider;
  }
}

export interface RegistryOptions {
  /** Start with twelvedata, fmp and csv (default true). */
  readonly builtIns?: boolean;
}

export function createProviderRegistry(options: RegistryOptions = {}): ProviderRegistry {
  const registry = new MapRegistry();
  if (options.builtIns ?? true) {
    for (const [name, factory] of Object.entries(builtInProviders)) registry.registerProvider(name, factory);
  }
  return registry;
}
