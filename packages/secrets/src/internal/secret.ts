import { inspect } from "node:util";

const redacted = "[redacted]";

/**
 * A secret value that will not print itself: toString, toJSON, util.inspect
 * and template literals all give "[redacted]". Only `reveal()` hands the value
 * out, at the moment a header or URL is built for the wire.
 */
export class Secret {
  readonly #value: string;
  /** The environment variable NAME the value came from (names are not secret). */
  readonly name: string;

  constructor(name: string, value: string) {
    if (value.length === 0) throw new TypeError(`Secret ${name}: an empty value is not a secret; leave the variable unset instead`);
    this.name = name;
    this.#value = value;
    Object.freeze(this);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return redacted;
  }

  toJSON(): string {
    return redacted;
  }

  [Symbol.toPrimitive](): string {
    return redacted;
  }

  [inspect.custom](): string {
    return redacted;
  }
}
