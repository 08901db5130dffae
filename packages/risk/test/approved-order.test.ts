/**
 * ApprovedOrder is minted only by approve(). Type level: the `@ts-expect-error`
 * lines below make the root type-check FAIL if a forged value ever compiles.
 * Run time: isApprovedOrder() checks a private field that a copy cannot carry.
 */
import * as riskModule from "@mqk/risk";
import { isApprovedOrder, type ApprovedOrder, type ApprovedOrderFields } from "@mqk/risk";
import { expect, it } from "vitest";
import { useSharedDesk, market, snapshot } from "./risk-harness.js";

const desk = useSharedDesk();

async function realOne(): Promise<ApprovedOrder> {
  const r = await desk().engine.approve(desk().handle.db, market("buy", 3n), snapshot());
  if (!r.ok) throw new Error(`expected an approval, got ${r.error.kind}`);
  return r.value;
}

it("ApprovedOrder cannot be constructed outside risk (type level and run time)", async () => {
  const real = await realOne();
  const fields: ApprovedOrderFields = { ...real };

  // @ts-expect-error -- an object with every public field is still not an ApprovedOrder (private brand)
  const forged: ApprovedOrder = fields;
  // @ts-expect-error -- a structural copy of a real one is not one either
  const copied: ApprovedOrder = { ...real };
  expect(isApprovedOrder(forged)).toBe(false);
  expect(isApprovedOrder(copied)).toBe(false);
  expect(isApprovedOrder(fields as ApprovedOrder)).toBe(false); // a cast compiles but fails the run-time check
  expect(isApprovedOrder(real)).toBe(true);
  expect(Object.isFrozen(real)).toBe(true);

  // the package exports the type only: there is no class value to `new`, and no minting function
  expect(Object.keys(riskModule)).not.toContain("ApprovedOrder");
  expect(Object.keys(riskModule).filter((k) => /mint/i.test(k))).toEqual([]);
  expect(() => {
    // @ts-expect-error -- ApprovedOrder is exported as a type only; it cannot be constructed
    return new ApprovedOrder(fields) as unknown;
  }).toThrow(ReferenceError);
});
