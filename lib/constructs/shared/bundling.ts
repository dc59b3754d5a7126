import type { BuildOptions } from 'esbuild';

/**
 * How the responder's code is bundled, in one place: the Lambda functions
 * (ResponderFunction), the benchmark that measures those same bundles
 * (scripts/bench/lambda.ts) and the CLI build share these settings, so
 * what is measured is what ships.
 */

/**
 * esbuild output is an ES module, but some dependencies still call
 * `require` for Node built-ins; give them one.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** Prefer packages' ES module builds (smaller, tree-shakable). */
export const MAIN_FIELDS = ['module', 'main'];

/** The oldest Lambda runtime the bundles must run on. */
export const LAMBDA_TARGET = 'node22';

/**
 * What stays out of the Lambda bundles and comes from the AWS SDK v3 that
 * ships with the Lambda runtime.
 *
 * The SDK clients a function uses on every invocation (DynamoDB for the
 * scorer, EC2 for the workflow tasks) are bundled: the runtime's copy is
 * CommonJS spread over dozens of packages, and loading it costs the scorer
 * about 250 ms of cold start where the tree-shaken, minified bundle costs
 * well under half of that (`npm run bench`). Left out are
 *
 *  - the clients only rare paths load, with `import()` when they need them
 *    (Step Functions when a workflow starts, S3 when threat-intel feeds are
 *    refreshed): bundled, they would be compiled at every cold start (the
 *    approval endpoint imports the Step Functions client directly and so
 *    loads the runtime's copy; a person clicking a link does not notice);
 *  - the credential providers behind the default chain's environment
 *    provider (SSO, shared config files, credential processes, web
 *    identity, container and instance metadata, and the STS/SSO clients
 *    they use): the chain imports each only when it gets to it, and Lambda
 *    always provides credentials in the environment, so it never does.
 */
export const LAMBDA_EXTERNALS = [
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-s3',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/nested-clients',
  '@aws-sdk/nested-clients/*',
  '@aws-sdk/token-providers',
  '@smithy/credential-provider-imds',
];

/** The define that compiles engine settings into a bundle (read by lambdas/handlers/shared/runtime.ts). */
export function settingsDefine(settings: unknown): Record<string, string> {
  return { 'process.env.RESPONDER_SETTINGS': JSON.stringify(JSON.stringify(settings)) };
}

/**
 * ResponderFunction's bundling as plain esbuild options, for building the
 * same bundles outside `cdk synth`: the benchmark measures them and a test
 * loads every handler's bundle.
 */
export function lambdaBuildOptions(settings: unknown): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    external: LAMBDA_EXTERNALS,
    banner: { js: ESM_REQUIRE_BANNER },
    define: settingsDefine(settings),
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  };
}
