import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A moto server (the AWS emulator) on 127.0.0.1, started by the tests
 * themselves: `python3 -m moto.server`. It really executes EC2, SNS -> SQS,
 * Organizations, DynamoDB, S3, Secrets Manager, Step Functions' task-token
 * calls and EventBridge routing, so handler tests exercise real requests.
 */

export interface Moto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function ready(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state: { exited?: number; failed?: Error } = {};
  child.once('exit', (code) => (state.exited = code ?? -1));
  child.once('error', (err) => (state.failed = err));
  while (Date.now() < deadline) {
    if (state.failed) throw new Error(`moto server could not start: ${state.failed.message}`);
    if (state.exited !== undefined) throw new Error(`moto server exited with code ${state.exited}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto server did not answer at ${endpoint} within ${timeoutMs} ms`);
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // PYTHON picks the interpreter that has moto (as in .ci/run).
  const python = process.env.PYTHON ?? 'python3';
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  try {
    await ready(endpoint, child, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(
      `${(err as Error).message}. The tests need moto's server mode for ${python}: pip install "moto[server]" (Python 3), or set PYTHON to an interpreter that has it. Last output:\n${stderr}`,
      { cause: err },
    );
  }
  return {
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** The environment every AWS client in a test uses: moto, fake credentials, no metadata lookups. */
export function motoEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  };
}

/** Moto's account id for every call with fake credentials. */
export const MOTO_ACCOUNT = '123456789012';

type WithMiddleware = { middlewareStack: { add: (...args: never[]) => unknown } };

/**
 * Makes every request of `client` act in `accountId` (moto's
 * x-moto-account-id header): the way tests stand a member or management
 * account beside the default one on one server.
 */
export function inMotoAccount<T extends WithMiddleware>(client: T, accountId: string): T {
  (client.middlewareStack as unknown as { add: (mw: unknown, options: unknown) => void }).add(
    (next: (args: unknown) => unknown) => (args: { request: { headers: Record<string, string> } }) => {
      args.request.headers['x-moto-account-id'] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}
