/**
 * Alpaca's error envelope `{code, message}` with the statuses and codes of
 * API-BRIEF §1.7. Wording marked OBS there is what public fixtures show; the
 * duplicate-id message is the exact text adapters match on.
 */

/** The exact message of a 422 on a reused client_order_id (API-BRIEF §1.7, §1.11). */
export const DUPLICATE_CLIENT_ORDER_ID_MESSAGE = "client_order_id must be unique";

export interface AlpacaErrorReply {
  readonly status: number;
  readonly body: { readonly code?: number; readonly message: string; readonly [extra: string]: unknown };
}

function reply(status: number, code: number | undefined, message: string, extra: Record<string, unknown> = {}): AlpacaErrorReply {
  return { status, body: code === undefined ? { message, ...extra } : { code, message, ...extra } };
}

export const alpacaError = {
  unauthorized: (): AlpacaErrorReply => reply(401, 40110000, "request is not authorized"),
  /** A 403 with no code: adapters read it as "credentials wrong" too (API-BRIEF §1.2). */
  forbiddenNoCode: (): AlpacaErrorReply => reply(403, undefined, "forbidden"),
  insufficientBuyingPower: (extra: Record<string, unknown> = {}): AlpacaErrorReply => reply(403, 40310000, "insufficient buying power", extra),
  insufficientQty: (requested: bigint, available: bigint, symbol: string): AlpacaErrorReply =>
    reply(403, 40310000, `insufficient qty available for order (requested: ${String(requested)}, available: ${String(available)})`, {
      symbol,
      existing_qty: String(available),
      held_for_orders: "0",
    }),
  orderNotFound: (): AlpacaErrorReply => reply(404, 40410000, "order not found"),
  positionNotFound: (): AlpacaErrorReply => reply(404, 40410000, "position does not exist"),
  endpointNotFound: (method: string, path: string): AlpacaErrorReply => reply(404, 40410000, `endpoint not found: ${method} ${path}`),
  methodNotAllowed: (method: string, path: string): AlpacaErrorReply => reply(405, 40510000, `method not allowed: ${method} ${path}`),
  duplicateClientOrderId: (): AlpacaErrorReply => reply(422, 40010001, DUPLICATE_CLIENT_ORDER_ID_MESSAGE),
  validation: (message: string): AlpacaErrorReply => reply(422, 40010001, message),
  priceValidation: (message: string, extra: Record<string, unknown> = {}): AlpacaErrorReply => reply(422, 42210000, message, extra),
  notCancelable: (status: string): AlpacaErrorReply => reply(422, 42210000, `order is not cancelable (status: ${status})`),
  notReplaceable: (status: string): AlpacaErrorReply => reply(422, 42210000, `order is not replaceable (status: ${status})`),
  rateLimited: (): AlpacaErrorReply => reply(429, 42910000, "rate limit exceeded"),
  internal: (status: number): AlpacaErrorReply => reply(status, undefined, "internal server error"),
  bodyTooLarge: (): AlpacaErrorReply => reply(413, undefined, "request body too large"),
} as const;
