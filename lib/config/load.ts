import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { DEFAULT_CONTAINMENT, type ContainmentSettings } from '../../lambdas/core/containment';
import { ConfigError } from '../../lambdas/core/errors';
import { DEFAULT_WEIGHTS, type EngineSettings } from '../../lambdas/core/settings';
import { addDomainFeed, addIpFeed, emptyThreatIntel, type ThreatIntel } from '../../lambdas/core/threat-intel';
import { configSchema, type ConfigFile } from './schema';

/**
 * The one place that reads configuration: a JSON or YAML file validated
 * against the schema, feed files resolved relative to it. Every problem is
 * collected and reported together, each as "key: expected X, found Y".
 */

export interface FeedFile {
  readonly kind: 'ip' | 'domain';
  /** A name unique among the feeds (the path as written, slashes made safe). */
  readonly name: string;
  readonly text: string;
}

export interface LoadedConfig {
  /** The file it came from, or undefined for built-in defaults. */
  readonly file?: string;
  readonly config: ConfigFile;
  readonly settings: EngineSettings;
  readonly intel: ThreatIntel;
  /** The feeds' text, for deploying them to the feeds bucket. */
  readonly feedFiles: readonly FeedFile[];
}

function found(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list (${JSON.stringify(value).slice(0, 40)})`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 60)}...` : value}"`;
  return `${typeof value} ${JSON.stringify(value) ?? typeof value}`;
}

function keyPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '') || '(top level)';
}

function valueAt(root: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

type SchemaDef = { def?: { shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType } };

/** The object shape under defaults, prefaults and refinements, if the schema is an object. */
function shapeOf(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  let s = schema;
  for (let i = 0; i < 6 && s; i++) {
    const def: SchemaDef['def'] = (s as unknown as SchemaDef).def;
    if (def?.shape) return def.shape;
    s = def?.innerType ?? def?.in;
  }
  return undefined;
}

/** Known keys of the object at a path, for "unknown key" messages. */
function knownKeys(p: readonly PropertyKey[]): string[] {
  let shape = shapeOf(configSchema);
  for (const k of p) shape = shapeOf(shape?.[String(k)]);
  return shape ? Object.keys(shape) : [];
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(issue.path);
      return issue.keys.map((k) => {
        const near = known.filter((n) => distance(k, n) <= 2);
        const hint = near.length ? `; did you mean "${near[0]}"?` : known.length ? ` (expected one of: ${known.join(', ')})` : '';
        return `${keyPath([...issue.path, k])}: unknown key${hint}`;
      });
    }
    const where = keyPath(issue.path);
    const value = valueAt(input, issue.path);
    return [`${where}: expected ${issue.message}, found ${found(value)}`];
  });
}

/** Validates an already-parsed config object (from a file, or inline in tests). */
export function validateConfig(raw: unknown, label: string): ConfigFile {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = describeIssues(result.error.issues, raw).map((p) => `${label}: ${p}`);
    throw new ConfigError(`invalid configuration in ${label}:\n  ${problems.join('\n  ')}`, problems);
  }
  return result.data;
}

/** `deployment.containment` as the Contain function and the CLI take it. */
export function containmentSettingsOf(c: ConfigFile['deployment']['containment']): ContainmentSettings {
  return {
    untrackSeconds: c.untrackSeconds,
    autoScaling: c.autoScaling,
    removeInstanceProfile: c.removeInstanceProfile,
    revokeRoleSessions: c.revokeRoleSessions,
    blockFlaggedIps: c.blockFlaggedIps,
    connectionTracking: DEFAULT_CONTAINMENT.connectionTracking,
  };
}

export function toSettings(c: ConfigFile): EngineSettings {
  return {
    approvedPrincipals: c.approvedPrincipals,
    approvedRegions: c.approvedRegions,
    requiredTags: c.requiredTags,
    correlation: c.correlation,
    baseline: c.baseline,
    burst: c.burst,
    churn: c.churn,
    instanceTypes: c.instanceTypes,
    accounts: c.accounts,
    quotaProbing: c.quotaProbing,
    securityGroups: c.securityGroups,
    weights: { ...DEFAULT_WEIGHTS, ...Object.fromEntries(Object.entries(c.weights).filter(([, v]) => v !== undefined)) },
    severity: c.severity,
    escalation: c.escalation,
  };
}

/** Reads every feed; missing files and bad lines are collected as problems. */
export function loadFeeds(c: ConfigFile, baseDir: string, label: string): { intel: ThreatIntel; problems: string[]; files: FeedFile[] } {
  const intel = emptyThreatIntel();
  const problems: string[] = [];
  const files: FeedFile[] = [];
  const kinds = [
    ['ipFeeds', c.threatIntel.ipFeeds, addIpFeed],
    ['domainFeeds', c.threatIntel.domainFeeds, addDomainFeed],
  ] as const;
  for (const [key, paths, add] of kinds) {
    paths.forEach((file, i) => {
      const where = `${label}: threatIntel.${key}[${i}]`;
      const abs = path.resolve(baseDir, file);
      let text: string;
      try {
        text = readFileSync(abs, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        problems.push(
          code === 'ENOENT'
            ? `${where}: expected an existing feed file, found no file at ${abs} (paths resolve relative to the config file)`
            : `${where}: cannot read ${abs}: ${(err as Error).message}`,
        );
        return;
      }
      files.push({ kind: key === 'ipFeeds' ? 'ip' : 'domain', name: file.replace(/^(\.\.?\/)+/, '').replace(/[^A-Za-z0-9._-]+/g, '_'), text });
      const errors = add(intel, file, text);
      for (const e of errors.slice(0, 5)) problems.push(`${where} (${file}:${e.line}): expected ${e.expected}, found "${e.text}"`);
      if (errors.length > 5) problems.push(`${where} (${file}): ${errors.length - 5} more bad lines`);
    });
  }
  return { intel, problems, files };
}

function parseFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(`cannot read config file ${file}: ${why}`, [`${file}: expected a readable JSON or YAML file, found ${why}`], { cause: err });
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0] ?? String(err);
    throw new ConfigError(`config file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${msg}`, [`${file}: ${msg}`], { cause: err });
  }
}

/** Loads, validates and resolves a config file; with no file, the documented defaults. */
export function loadConfig(file?: string): LoadedConfig {
  if (!file) {
    const config = validateConfig({}, 'defaults');
    return { config, settings: toSettings(config), intel: emptyThreatIntel(), feedFiles: [] };
  }
  const abs = path.resolve(file);
  const raw = parseFile(abs);
  const config = validateConfig(raw, file);
  const { intel, problems, files } = loadFeeds(config, path.dirname(abs), file);
  if (problems.length) throw new ConfigError(`invalid configuration in ${file}:\n  ${problems.join('\n  ')}`, problems);
  return { file: abs, config, settings: toSettings(config), intel, feedFiles: files };
}
