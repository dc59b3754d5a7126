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

export function engineSettings(): EngineSettings {
  const raw = process.env.RESPONDER_SETTINGS;
  if (!raw) return DEFAULT_SETTINGS;
  try {
    return withDefaults(JSON.parse(raw) as DeepPartial<EngineSettings>);
  } catch (err) {
    throw new ConfigError(`RESPONDER_SETTINGS is not valid JSON: ${(err as Error).message}`, undefined, { cause: err });
  }
}

export function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`environment variable ${name}: expected a number, found "${raw}"`);
  return n;
}
