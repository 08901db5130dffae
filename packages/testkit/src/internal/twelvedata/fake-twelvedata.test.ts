import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "@mqk/core";
import { startFakeFmp, type FakeFmp } from "../fmp/fake-fmp.js";
import { startFakeTwelveData, type FakeTwelveData } from "./fake-twelvedata.js";

const open: (FakeTwelveData | FakeFmp)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((fake) => fake.close()));
});

async function td(clock = new FakeClock(Date.UTC(2024, 2, 20, 18))) {
  const fake = await startFakeTwelveData({ apiKey: "k1", clock });
  open.push(fake);
  const get = async (query: string, key: string | null = "k1") => {
    const response = await fetch(`${fake.baseUrl}/time_series?${query}`, key === null ? {} : { headers: { Authorization: `apikey ${key}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { fake, get, clock };
}

describe("fake TwelveData", () => {
  it("serves the documented shape: meta, string values newest first, default 30 rows, status ok", async () => {
    const { get } = await td();
    const { status, body } = await get("symbol=AAPL&interval=1day");
    expect(status).toBe(200);
    expect(body["status"]).toBe("ok");
    expect(body["meta"]).toMatchObject({ symbol: "AAPL", interval: "1day", exchange_timezone: "America/New_York" });
    const values = body["values"] as Record<string, unknown>[];
    expect(values).toHaveLength(30);
    expect(values[0]?.["datetime"]).toBe("2024-03-20");
    expect(typeof values[0]?.["close"]).toBe("string");
    expect(String(values[0]?.["datetime"]) > String(values[1]?.["datetime"])).toBe(true);
  });

  it("caps at 5000 rows, reads dates in exchange time with an exclusive end, and is deterministic", async () => {
    const { get } = await td();
    const big = await get("symbol=SPY&interval=1min&start_date=2024-01-02&end_date=2024-03-01");
    expect((big.body["values"] as unknown[]).length).toBe(5000);
    const day = await get("symbol=SPY&interval=1h&start_date=2024-03-11 09:30:00&end_date=2024-03-11 15:30:00&order=ASC");
    const rows = day.body["values"] as Record<string, unknown>[];
    expect(rows.map((r) => r["datetime"])).toEqual(["09:30", "10:30", "11:30", "12:30", "13:30", "14:30"].map((t) => `2024-03-11 ${t}:00`));
    const again = await get("symbol=SPY&interval=1h&start_date=2024-03-11 09:30:00&end_date=2024-03-11 15:30:00&order=ASC");
    expect(again.body).toEqual(day.body);
    const utc = await get("symbol=SPY&interval=1h&start_date=2024-03-11 13:30:00&end_date=2024-03-11 14:31:00&timezone=UTC");
    expect((utc.body["values"] as Record<string, unknown>[]).map((r) => r["datetime"])).toEqual(["2024-03-11 14:30:00", "2024-03-11 13:30:00"]);
  });

  it("checks the key (header or query, logged as received) and keeps the per-minute credit bucket", async () => {
    const { fake, get } = await td();
    expect((await get("symbol=AAPL&interval=1day", null)).body).toMatchObject({ code: 401, status: "error" });
    expect((await get("symbol=AAPL&interval=1day", "wrong")).status).toBe(401);
    const viaQuery = await fetch(`${fake.baseUrl}/time_series?symbol=AAPL&interval=1day&apikey=k1`);
    expect(viaQuery.status).toBe(200);
    expect(fake.requests[2]?.query["apikey"]).toBe("k1");
    for (let i = 0; i < 7; i += 1) expect((await get("symbol=AAPL&interval=1day")).status).toBe(200);
    const spent = await get("symbol=AAPL&interval=1day");
    expect(spent.status).toBe(429);
    expect(String(spent.body["message"])).toMatch(/run out of API credits for the current minute/);
  });

  it("fault switches: error envelope with HTTP 200, 5xx, malformed JSON, bad bars, then normal service", async () => {
    const { fake, get } = await td();
    fake.setHttpStatusMode("always200");
    fake.setFault([
      { kind: "errorEnvelope", code: 404, message: "**symbol** not found", times: 1 },
      { kind: "serverError", status: 503, times: 1 },
      { kind: "malformedJson", times: 1 },
      { kind: "badBars", defect: "nanString", times: 1 },
    ]);
    expect(await get("symbol=AAPL&interval=1day")).toMatchObject({ status: 200, body: { code: 404, status: "error" } });
    expect((await fetch(`${fake.baseUrl}/time_series?symbol=AAPL&interval=1day`, { headers: { Authorization: "apikey k1" } })).status).toBe(503);
    await expect(get("symbol=AAPL&interval=1day")).rejects.toThrow(SyntaxError);
    const bad = await get("symbol=AAPL&interval=1day");
    expect((bad.body["values"] as Record<string, unknown>[])[1]?.["close"]).toBe("NaN");
    expect((await get("symbol=AAPL&interval=1day")).body["status"]).toBe("ok");
  });
});

describe("fake FMP", () => {
  it("serves the stable array and the legacy {symbol, historical} shapes with JSON numbers, newest first, from/to inclusive", async () => {
    const fake = await startFakeFmp({ apiKey: "f1", clock: new FakeClock(Date.UTC(2024, 2, 20, 18)) });
    open.push(fake);
    const stable = (await (
      await fetch(`${fake.baseUrl}/stable/historical-price-eod/full?symbol=MSFT&from=2024-03-11&to=2024-03-15&apikey=f1`)
    ).json()) as Record<string, unknown>[];
    expect(stable.map((r) => r["date"])).toEqual(["2024-03-15", "2024-03-14", "2024-03-13", "2024-03-12", "2024-03-11"]);
    expect(typeof stable[0]?.["close"]).toBe("number");
    expect(stable[0]?.["symbol"]).toBe("MSFT");
    const legacy = (await (await fetch(`${fake.baseUrl}/api/v3/historical-price-full/MSFT?from=2024-03-11&to=2024-03-15&apikey=f1`)).json()) as Record<
      string,
      unknown
    >;
    expect(legacy["symbol"]).toBe("MSFT");
    expect((legacy["historical"] as Record<string, unknown>[]).map((r) => r["close"])).toEqual(stable.map((r) => r["close"]));
    const refused = await fetch(`${fake.baseUrl}/stable/historical-price-eod/full?symbol=MSFT&apikey=nope`);
    expect(refused.status).toBe(401);
    fake.setFault({ kind: "errorEnvelope", message: "Limit Reach", times: 1 });
    const limited = await fetch(`${fake.baseUrl}/stable/historical-price-eod/full?symbol=MSFT&apikey=f1`);
    expect({ status: limited.status, body: await limited.json() }).toEqual({ status: 200, body: { "Error Message": "Limit Reach" } });
  });
});
