/**
 * S1.3: the one object that holds the desk's secret values, built once at
 * start from the NAMES the config mentions and passed to constructors. It
 * prints only names and presence; values leave it only as `Secret`s.
 */
import { inspect } from "node:util";
import { DeskError, InvariantError } from "@mqk/core";
import { redactForms, redactionForms, type Redactor } from "./redaction.js";
import type { SecretSource } from "./secret-source.js";
import type { Secret } from "./secret.js";

export type Presence = "present" | "absent";

export class ResolvedSecrets implements SecretSource, Redactor {
  readonly #secrets: ReadonlyMap<string, Secret | undefined>;
  readonly #forms: readonly string[];

  /** Built by `resolveSecrets` only (the class is exported as a type). */
  constructor(secrets: ReadonlyMap<string, Secret | undefined>) {
    this.#secrets = new Map(secrets);
    const forms = new Set<string>();
    for (const secret of secrets.values()) if (secret !== undefined) for (const form of redactionForms(secret.reveal())) forms.add(form);
    this.#forms = [...forms].sort((a, b) => b.length - a.length);
    Object.freeze(this);
  }

  /**
   * The secret named `name`, or undefined when the variable is not set.
   * Asking for a NAME the config does not mention is a wiring bug: every
   * secret must be named in the config so that it is resolved at start.
   */
  get(name: string): Secret | undefined {
    if (!this.#secrets.has(name)) {
      throw new InvariantError(`secret ${name} was asked for but the config does not name it; add it to the config so that it is resolved at start`);
    }
    return this.#secrets.get(name);
  }

  /** The secret named `name`; throws SECRETS_MISSING (naming only the NAME) when it is not set. */
  require(name: string): Secret {
    const secret = this.get(name);
    if (secret === undefined)
      throw new DeskError(
        "SECRETS_MISSING",
        `the environment variable ${name} is not set; set it in the environment (the config names it, it never holds the value)`,
      );
    return secret;
  }

  /** Every NAME the config mentions → present/absent, sorted by name. Safe to log and to put in a proof bundle. */
  presence(): Readonly<Record<string, Presence>> {
    const out: Record<string, Presence> = {};
    for (const name of [...this.#secrets.keys()].sort()) out[name] = this.#secrets.get(name) === undefined ? "absent" : "present";
    return Object.freeze(out);
  }

  /** Replaces every occurrence of every resolved value (and its encoded forms) with "[redacted]". */
  redact(text: string): string {
    return redactForms(text, this.#forms);
  }

  toJSON(): { readonly presence: Readonly<Record<string, Presence>> } {
    return { presence: this.presence() };
  }

  toString(): string {
    const entries = Object.entries(this.presence()).map(([name, p]) => `${name}: ${p}`);
    return `ResolvedSecrets { ${entries.join(", ")} }`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
