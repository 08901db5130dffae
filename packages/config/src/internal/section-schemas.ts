/**
 * One strict schema per config section. Defaults are conservative (F2) and
 * nothing may make a backtest look better than reality (F1). Rules that span
 * fields or sections live in consistency-rules.ts.
 */
import { z } from "zod";
import { alertChannelNamePattern } from "./alert-channels.js";
import { alpacaEnvironments, barIntervals, fillModels, marketDataPlans, modes, type BrokerConfig, type DatabaseConfig } from "./desk-config.js";
import { baseUrl, envName, flag, integerIn, money, oneOf, pathText, shares, strict, ticker } from "./field-schemas.js";

const alpacaSchema = strict(
  {
    environment: oneOf(alpacaEnvironments),
    keyIdEnv: envName(),
    secretKeyEnv: envName(),
    baseUrl: baseUrl().optional(),
  },
  "a mapping with environment, keyIdEnv and secretKeyEnv",
);

export const brokerSchema = strict({ kind: oneOf(["sim", "alpaca"]), alpaca: alpacaSchema.optional() }, "a mapping with kind (sim | alpaca)")
  .superRefine((broker, ctx) => {
    if (broker.kind === "alpaca" && broker.alpaca === undefined) {
      ctx.addIssue({ code: "custom", path: ["alpaca"], message: "an alpaca section (environment, keyIdEnv, secretKeyEnv) when broker.kind is alpaca" });
    }
    if (broker.kind === "sim" && broker.alpaca !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["alpaca"],
        message: "no alpaca section when broker.kind is sim (remove it, or set kind: alpaca)",
        params: { found: "an alpaca section" },
      });
    }
  })
  .transform((broker): BrokerConfig => {
    if (broker.kind === "sim" || broker.alpaca === undefined) return { kind: "sim" };
    const { baseUrl: url, ...alpaca } = broker.alpaca;
    return { kind: "alpaca", alpaca: url === undefined ? alpaca : { ...alpaca, baseUrl: url } };
  });

const providerExpected = "a market-data provider name such as twelvedata, fmp or csv (lower case)";

export const marketDataSchema = strict(
  {
    provider: z.string({ error: providerExpected }).regex(/^[a-z][a-z0-9-]{0,31}$/, { error: providerExpected }),
    apiKeyEnv: envName().optional(),
    plan: oneOf(marketDataPlans).optional(),
    baseUrl: baseUrl().optional(),
    csvDir: pathText().optional(),
    symbols: z
      .array(ticker(), { error: "a list of tickers such as [AAPL, MSFT]" })
      .min(1, { error: "a list of at least one ticker" })
      .superRefine((symbols, ctx) => {
        symbols.forEach((symbol, i) => {
          if (symbols.indexOf(symbol) !== i) ctx.addIssue({ code: "custom", path: [i], message: "each ticker once (this one is repeated)" });
        });
      }),
    interval: oneOf(barIntervals),
  },
  "a mapping with provider, symbols and interval",
);

const channelNameExpected = "a channel name of lower-case letters, digits and - (e.g. alerts, live, my-desk)";

export const alertsSchema = strict({
  channels: z
    .record(
      z.string().max(32, { error: channelNameExpected }).regex(alertChannelNamePattern, { error: channelNameExpected }),
      strict({ webhookEnv: envName() }, "a mapping with webhookEnv"),
      { error: "a mapping of channel name → { webhookEnv: NAME }" },
    )
    .default({}),
  heartbeatIntervalSeconds: integerIn(10, 86_400, "seconds").default(300),
});

/** No defaults: limits are the operator's decision and must be written down. */
export const riskSchema = strict({
  maxOrderQty: shares(),
  maxOrderNotional: money("nonNegative"),
  priceCollarBps: integerIn(1, 10_000, "basis points"),
  maxPositionQty: shares(),
  maxGrossExposure: money("nonNegative"),
  dailyLossLimit: money("nonNegative"),
  maxOrdersPerMinute: integerIn(1, 10_000, "orders per minute"),
});

export const reconcileSchema = strict({
  intervalSeconds: integerIn(1, 3_600, "seconds").default(30),
  freshnessSeconds: integerIn(1, 3_600, "seconds").default(120),
  cashTolerance: money("nonNegative").prefault("1.00"),
});

export const integritySchema = strict({
  staleFeedGraceSeconds: integerIn(1, 3_600, "seconds").default(120),
  deadmanTimeoutSeconds: integerIn(5, 3_600, "seconds").default(60),
  gapDetection: flag().default(true),
});

const flatter = "below zero would flatter the backtest, F1";

export const backtestSchema = strict({
  initialCash: money("positive").prefault("100000"),
  slippageBps: integerIn(0, 10_000, "basis points", flatter).default(5),
  feePerShare: money("nonNegative", flatter).prefault("0.005"),
  fillModel: oneOf(fillModels).default("conservative"),
  stopOnCorporateActionAnomaly: flag().default(true),
});

export const databaseSchema = strict(
  {
    source: oneOf(["embedded", "url"]),
    urlEnv: envName().optional(),
    allowEmbeddedInLive: flag().optional(),
  },
  "a mapping with source (embedded | url)",
)
  .superRefine((db, ctx) => {
    if (db.source === "url" && db.urlEnv === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["urlEnv"],
        message: "urlEnv (the NAME of the variable holding the database URL, e.g. MQK_DATABASE_URL) when source is url",
      });
    }
    if (db.source === "url" && db.allowEmbeddedInLive !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["allowEmbeddedInLive"],
        message: "no allowEmbeddedInLive when source is url (it applies to the embedded database only)",
      });
    }
    if (db.source === "embedded" && db.urlEnv !== undefined) {
      ctx.addIssue({ code: "custom", path: ["urlEnv"], message: "no urlEnv when source is embedded (set source: url to use it)" });
    }
  })
  .transform((db): DatabaseConfig =>
    db.source === "url" && db.urlEnv !== undefined
      ? { source: "url", urlEnv: db.urlEnv }
      : { source: "embedded", allowEmbeddedInLive: db.allowEmbeddedInLive === true },
  );

export const deskConfigSchema = strict(
  {
    mode: oneOf(modes),
    broker: brokerSchema.prefault({ kind: "sim" }),
    marketData: marketDataSchema,
    alerts: alertsSchema.prefault({}),
    risk: riskSchema,
    reconcile: reconcileSchema.prefault({}),
    integrity: integritySchema.prefault({}),
    backtest: backtestSchema.prefault({}),
    database: databaseSchema.prefault({ source: "embedded" }),
  },
  "a mapping of settings",
);
