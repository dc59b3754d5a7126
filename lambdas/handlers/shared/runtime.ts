import { ConfigError } from '../../core/errors';
import { DEFAULT_SETTINGS, withDefaults, type DeepPartial, type EngineSettings } from '../../core/settings';

/**
 * The Lambdas' configuration: resource names in environment variables (set
 * by the stack), the engine settings compiled into the bundle at synth
 * (`process.env.RESPONDER_SETTINGS` is replaced by esbuild, so a config
 * change is a code change CloudFormation sees; tests set the variable).
 * Secrets are never here: their names are, and they are read at runtime.
 */

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigError(`environment variable ${name} is not set (the stack sets it; in tests, set it before loading the handler)`);
  return value;
}

export function optionalEnv(name: string): string | undefined {
  return process.env[name] || undefined;
}

/**
 * Settings the stack passes as JSON in the environment variable `name`
 * (its value `raw`): `fallback` when absent, else `complete(parsed)`, which
 * fills in the defaults. Invalid JSON is a ConfigError naming the variable.
 */
export function jsonSettings<T, P>(name: string, raw: string | undefined, fallback: T, complete: (parsed: P) => T): T {
  if (!raw) return fallback;
  let parsed: P;
  try {
    parsed = JSON.parse(raw) as P;
  } catch (err) {
    throw new ConfigError(`${name} is not valid JSON: ${(err as Error).message}`, undefined, { cause: err });
  }
  return complete(parsed);
}

export function engineSettings(): EngineSettings {
  return jsonSettings('RESPONDER_SETTINGS', process.env.RESPONDER_SETTINGS, DEFAULT_SETTINGS, (p: DeepPartial<EngineSettings>) => withDefaults(p));
}

export function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`environment variable ${name}: expected a number, found "${raw}"`);
  return n;
}
