import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskSecretLookingText, secretLook } from "./secret-detector.js";

describe("secretLook", () => {
  it("S1.2: recognises the credentials the desk handles", () => {
    expect(secretLook("https://discord.com/api/webhooks/123456789012345678/abcDEF-ghi_jkl")).toBe("a Discord webhook URL");
    expect(secretLook("https://discord.com/api/v10/webhooks/1/t")).toBe("a Discord webhook URL");
    expect(secretLook("https://discordapp.com/anything")).toBe("a Discord webhook URL");
    expect(secretLook("http://127.0.0.1:5001/api/webhooks/42/tok")).toBe("a Discord webhook URL");
    expect(secretLook("PKABCDEFGHIJ12345678")).toBe("an Alpaca key id");
    expect(secretLook("AKABCDEFGHIJ1234567890")).toBe("an Alpaca key id");
    expect(secretLook("postgres://user:pass@host/db")).toBe("a URL with credentials");
    expect(secretLook("https://api.twelvedata.com/time_series?symbol=AAPL&apikey=x")).toBe("a URL with a key in its query");
    expect(secretLook("Bearer abcdefgh12345678")).toBe("an authorization header or bearer token");
    expect(secretLook("-----BEGIN RSA PRIVATE KEY-----\nMII")).toBe("a private key");
    expect(secretLook("7f3a9e0c4d5e6f708192a3b4c5d6e7f8")).toBe("a long token-like string");
    expect(secretLook("123e4567-e89b-12d3-a456-426614174000")).toBe("a long token-like string");
    expect(secretLook("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).toBe("a long token-like string");
    expect(secretLook("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")).toBe("a long token-like string");
  });

  it("S1.2: leaves the ordinary values of a config alone", () => {
    for (const value of [
      "ALPACA_PAPER_SECRET_KEY",
      "DISCORD_WEBHOOK_HEARTBEAT_CHANNEL_PRIMARY",
      "TWELVEDATA_API_KEY",
      "https://paper-api.alpaca.markets",
      "https://api.twelvedata.com",
      "http://127.0.0.1:4010",
      "data/daily",
      "/home/trader/MiniQuantDesk/data/daily-2024",
      "stopOnCorporateActionAnomaly",
      "heartbeatIntervalSeconds",
      "maxOrdersPerMinute",
      "BRK.B",
      "twelvedata",
      "250000.0000001",
      "conservative",
      "1day",
    ]) {
      expect([value, secretLook(value)]).toEqual([value, undefined]);
    }
  });

  it("S1.2: random hex keys of 24+ characters are always recognised (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{24,64}$/).filter((s) => /\d/.test(s) && /[a-f]/.test(s)),
        (key) => {
          expect(secretLook(key)).toBeDefined();
        },
      ),
    );
  });

  it("S1.2: random base62 secrets of 32+ characters with digits are always recognised (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9]{32,64}$/).filter((s) => /\d/.test(s) && /[A-Za-z]/.test(s)),
        (key) => {
          expect(secretLook(key)).toBeDefined();
        },
      ),
    );
  });

  it("S1.2: environment variable NAMES built of words are never taken for secrets (property)", () => {
    const word = fc.stringMatching(/^[A-Z][A-Z0-9]{0,11}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
        const name = words.join("_");
        fc.pre(!/^(PK|AK)[A-Z0-9]{16,}/.test(name));
        expect(secretLook(name)).toBeUndefined();
      }),
    );
  });
});

describe("maskSecretLookingText", () => {
  it("S1.5: structural masking keeps ids readable and removes credentials", () => {
    const line =
      "POST https://discord.com/api/v10/webhooks/123/SeCrEtToKeN?wait=true order mqk-3f9a7c2e1b4d5a6f7e8d9c0b1a2f3e4d apikey=abcdef123 APCA-API-SECRET-KEY: zzzSECRETzzz";
    const masked = maskSecretLookingText(line, "structural");
    expect(masked).not.toContain("SeCrEtToKeN");
    expect(masked).not.toContain("zzzSECRETzzz");
    expect(masked).toContain("mqk-3f9a7c2e1b4d5a6f7e8d9c0b1a2f3e4d");
    expect(masked).toContain("/webhooks/123/[redacted]");
  });

  it("S1.5: full masking also removes long token-like strings", () => {
    expect(maskSecretLookingText("key 7f3a9e0c4d5e6f708192a3b4c5d6e7f8 here")).toBe("key [redacted] here");
  });
});
