import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactText, redactUrl } from "./redact.js";

describe("redactUrl / redactText", () => {
  it("hides the password of a postgres URL and keeps the rest", () => {
    expect(redactUrl("postgres://desk:s3cret@db.example:5433/mqk?sslmode=require")).toBe("postgres://desk:***@db.example:5433/mqk?sslmode=require");
    expect(redactUrl("postgresql://desk@db/mqk")).toBe("postgresql://desk@db/mqk");
    expect(redactText("failed for postgres://a:b@h/db and postgres://c:d@h2/db2")).toBe("failed for postgres://a:***@h/db and postgres://c:***@h2/db2");
  });

  it("no password survives redaction (property)", () => {
    const password = fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=-]{4,40}$/);
    fc.assert(
      fc.property(password, fc.stringMatching(/^[a-z]{1,12}$/), (pw, user) => {
        const url = `postgres://${user}:${pw}@127.0.0.1:5432/mqk`;
        expect(redactUrl(url)).toBe(`postgres://${user}:***@127.0.0.1:5432/mqk`);
        expect(redactText(`could not connect to ${url}: refused`)).not.toContain(`:${pw}@`);
      }),
    );
  });
});
