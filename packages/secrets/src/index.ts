/**
 * @mqk/secrets — work in progress: the Secret wrapper and the SecretSource seam.
 */
export { Secret } from "./internal/secret.js";
export type { SecretSource } from "./internal/secret-source.js";
