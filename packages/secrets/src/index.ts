/**
 * @mqk/secrets — work in progress: see internal/secret.ts.
 */
export { Secret } from "./internal/secret.js";
