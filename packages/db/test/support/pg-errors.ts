/** The SQLSTATE and constraint of a failed pg query, or undefined when it did not fail. */
export interface PgFailure {
  readonly code: string | undefined;
  readonly constraint: string | undefined;
  readonly message: string;
}

export async function pgFailure(work: () => Promise<unknown>): Promise<PgFailure | undefined> {
  try {
    await work();
    return undefined;
  } catch (cause) {
    if (!(cause instanceof Error)) throw cause;
    const code = "code" in cause && typeof cause.code === "string" ? cause.code : undefined;
    const constraint = "constraint" in cause && typeof cause.constraint === "string" ? cause.constraint : undefined;
    return { code, constraint, message: cause.message };
  }
}

export const CHECK_VIOLATION = "23514";
export const UNIQUE_VIOLATION = "23505";
