/**
 * SDK clients, made once per region and reused across invocations (module
 * scope survives between warm Lambda invocations). Endpoints come from the
 * environment as the SDK reads it (AWS_ENDPOINT_URL), which is how the tests
 * point every client at a local emulator.
 */
type Ctor<T> = new (config: { region?: string; maxAttempts?: number }) => T;

const cache = new Map<Ctor<unknown>, Map<string, unknown>>();

let instrument: <T>(client: T) => T = (client) => client;

/**
 * Wraps every client made from here on (the handlers register X-Ray
 * tracing, lambdas/handlers/shared/observability.ts); adapters stay free of
 * Lambda concerns, so the CLI and tests use them untraced.
 */
export function instrumentClients(fn: <T>(client: T) => T): void {
  instrument = fn;
}

/** A client made elsewhere (with its own settings), instrumented like the others. */
export function instrumentClient<T>(client: T): T {
  return instrument(client);
}

export function clientFor<T>(ctor: Ctor<T>, region?: string): T {
  const key = region ?? process.env.AWS_REGION ?? 'default';
  let perRegion = cache.get(ctor);
  if (!perRegion) {
    perRegion = new Map();
    cache.set(ctor, perRegion);
  }
  let client = perRegion.get(key) as T | undefined;
  if (!client) {
    // The SDK's standard retry mode backs off on throttling; three attempts
    // inside a Lambda, the workflow's Retry does the rest.
    client = instrument(new ctor(region ? { region, maxAttempts: 3 } : { maxAttempts: 3 }));
    perRegion.set(key, client);
  }
  return client;
}

/** Forget cached clients (tests that change endpoints between suites). */
export function resetClients(): void {
  cache.clear();
}

/** The error name the SDK reports (`ThrottlingException`, `AccessDenied`, ...). */
export function awsErrorName(err: unknown): string {
  return err instanceof Error ? err.name : 'Error';
}

const TRANSIENT = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException',
  'ServiceUnavailable', 'ServiceUnavailableException', 'InternalError', 'InternalFailure', 'InternalServerError', 'RequestTimeout', 'TimeoutError',
]);

export function isTransient(err: unknown): boolean {
  return TRANSIENT.has(awsErrorName(err));
}
