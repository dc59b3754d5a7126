/**
 * One small error hierarchy. `name` is stable and part of the contract: Step
 * Functions `Retry`/`Catch` clauses and the CLI's exit codes match on it.
 * The original error is kept as `cause`.
 */
export class RogueInfraError extends Error {
  override readonly name: string = 'RogueInfraError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The configuration is wrong: a person must fix a file or a setting. Never retried. */
export class ConfigError extends RogueInfraError {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    /** Each problem, already phrased as "where: expected X, found Y". */
    readonly problems: readonly string[] = [message],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Input that is not what it claims to be (a record, an event, a feed line). */
export class InputError extends RogueInfraError {
  override readonly name = 'InputError';
}

/** A dependency failed in a way that may pass (throttling, timeouts). Retried by the workflow. */
export class TransientError extends RogueInfraError {
  override readonly name = 'TransientError';
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
