/**
 * What config knows about a few provider names, as a safety net only: the md
 * package's registry decides which names exist (S1.7), so an unknown name is
 * accepted here and checked there. Known names get their obvious needs
 * checked early, with a clear message, before any secret is resolved.
 */
export interface KnownProviderNeeds {
  /** The provider authenticates with an API key, so apiKeyEnv is required. */
  readonly apiKey: boolean;
  /** The provider reads local files from csvDir. */
  readonly csvDir: boolean;
  /** Example variable name for messages. */
  readonly exampleEnv?: string;
}

export const knownProviderNeeds: Readonly<Record<string, KnownProviderNeeds>> = {
  twelvedata: { apiKey: true, csvDir: false, exampleEnv: "TWELVEDATA_API_KEY" },
  fmp: { apiKey: true, csvDir: false, exampleEnv: "FMP_API_KEY" },
  csv: { apiKey: false, csvDir: true },
};

/** Providers that replay recorded bars and therefore can never drive LIVE. */
export const replayProviders: ReadonlySet<string> = new Set(["csv"]);
