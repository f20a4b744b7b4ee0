// Errors a caller can act on. Route handlers map `kind` to an HTTP status.
// "unprocessable": the input was well-formed but the rollout's own code failed with it
// (generateTasks threw, a module in rollouts/ does not load): 422.
export type ErrorKind = "bad_input" | "not_found" | "conflict" | "unprocessable";

export class KettleError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "KettleError";
  }
}

export const badInput = (message: string, fields?: Record<string, string[]>) =>
  new KettleError("bad_input", message, fields);
export const notFound = (message: string) => new KettleError("not_found", message);
export const conflict = (message: string) => new KettleError("conflict", message);

/** The message and stack of anything thrown, for the records. */
export function describeError(error: unknown): { message: string; trace: string | null } {
  if (error instanceof Error) return { message: error.message || error.name, trace: error.stack ?? null };
  return { message: String(error), trace: null };
}
