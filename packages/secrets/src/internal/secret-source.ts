import type { Secret } from "./secret.js";

/** Where constructors look up a secret by its environment variable NAME. */
export interface SecretSource {
  get(name: string): Secret | undefined;
}
