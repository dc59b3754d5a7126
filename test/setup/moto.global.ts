import type { TestProject } from 'vitest/node';
import { motoEnv, startMoto } from '../support/moto';

/**
 * One moto server for the whole run, started before the test files and
 * stopped after them. Its endpoint reaches every test process through the
 * environment (AWS_ENDPOINT_URL); tests create uniquely named resources, so
 * files can share it while running in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto();
  Object.assign(process.env, motoEnv(moto.endpoint));
  project.provide('motoEndpoint', moto.endpoint);
  return () => moto.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}
