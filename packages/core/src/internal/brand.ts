declare const brandTag: unique symbol;

/** A nominal type: `T` tagged with `B` so that two ids or units never mix. */
export type Brand<T, B extends string> = T & { readonly [brandTag]: B };
