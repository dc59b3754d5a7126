/**
 * CloudTrail fixtures for the engine tests: load a record from
 * test/fixtures/events, change what the case is about (time, region, caller,
 * ids, error, counts) and normalize it exactly as the reader does.
 */
import { readFileSync } from 'node:fs';
import { normalizeRecord } from '../../lambdas/core/cloudtrail/normalize';
import type { CloudTrailRecord, TrailEvent, UserIdentity } from '../../lambdas/core/cloudtrail/types';

const FIXTURES = new URL('../fixtures/events/', import.meta.url);
const cache = new Map<string, string>();

/** The raw text of a fixture (read once). */
function text(name: string): string {
  let t = cache.get(name);
  if (t === undefined) {
    t = readFileSync(new URL(name, FIXTURES), 'utf8');
    cache.set(name, t);
  }
  return t;
}

/** A fresh, mutable copy of a fixture record. */
export function loadFixture(name: FixtureName): CloudTrailRecord {
  return JSON.parse(text(name)) as CloudTrailRecord;
}

export type FixtureName =
  | 'allocate-address.json'
  | 'associate-address.json'
  | 'authorize-sg-ingress-443.json'
  | 'authorize-sg-ingress-all-ipv6.json'
  | 'authorize-sg-ingress-mixed.json'
  | 'authorize-sg-ingress-odd-zero.json'
  | 'authorize-sg-ingress-private.json'
  | 'authorize-sg-ingress-world-22.json'
  | 'cancel-spot-instance-requests.json'
  | 'create-fleet.json'
  | 'create-key-pair.json'
  | 'delete-fleets.json'
  | 'import-key-pair.json'
  | 'lightsail-create-instances.json'
  | 'modify-instance-attribute-termination.json'
  | 'modify-instance-attribute-type.json'
  | 'modify-instance-attribute-userdata.json'
  | 'release-address.json'
  | 'request-spot-fleet.json'
  | 'request-spot-instances.json'
  | 'run-instances-autoscaling.json'
  | 'run-instances-dry-run.json'
  | 'run-instances-gpu-denied.json'
  | 'run-instances-gpu-success.json'
  | 'run-instances-insufficient-capacity.json'
  | 'run-instances-launch-template.json'
  | 'run-instances-success.json'
  | 'service-quotas-get.json'
  | 'service-quotas-increase.json'
  | 'service-quotas-list.json'
  | 'terminate-instances.json'
  | 'vcpu-limit-exceeded.json';

export const ACCOUNT = '111122223333';

/** Every case is placed relative to this instant. */
export const T0 = Date.parse('2025-03-04T10:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** ISO time `minutes` after T0. */
export function at(minutes: number): string {
  return new Date(T0 + minutes * MINUTE).toISOString().replace('.000Z', 'Z');
}

function assumedRole(role: string, session: string, key: string, account = ACCOUNT): UserIdentity {
  return {
    type: 'AssumedRole',
    principalId: `AROAXMPL${role.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 12)}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId: key,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAXMPLISSUER', arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
      attributes: { creationDate: '2025-03-04T09:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

/** Callers the cases act as. */
export const Principal = {
  /** The default caller of the fixtures: a person's session of the ops-admin role. */
  ops: assumedRole('ops-admin', 'jordan', 'ASIAXMPLOPS4SESSION1'),
  /** The deployment pipeline's role: the one configuration approves. */
  ci: assumedRole('ci-deployer', 'build-4711', 'ASIAXMPLCIDEPLOYER01'),
  /** Same role name prefix, different role: must not ride on ci-deployer's approval. */
  ciShadow: assumedRole('ci-deployer-shadow', 'build-1', 'ASIAXMPLCISHADOW0001'),
  /** An IAM user calling with a long-term access key. */
  backupUser: {
    type: 'IAMUser',
    principalId: 'AIDAXMPLSVCBACKUP3K7',
    arn: `arn:aws:iam::${ACCOUNT}:user/svc-backup`,
    accountId: ACCOUNT,
    accessKeyId: 'AKIAXMPLSVCBACKUP777',
    userName: 'svc-backup',
  } satisfies UserIdentity,
  /** An IAM user in a console session (temporary key). */
  consoleUser: {
    type: 'IAMUser',
    principalId: 'AIDAXMPLALICE0000001',
    arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAXMPLALICECONSOLE',
    userName: 'alice',
  } satisfies UserIdentity,
  /** The account's root user with a root access key. */
  root: {
    type: 'Root',
    principalId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    accountId: ACCOUNT,
    accessKeyId: 'AKIAXMPLROOTKEY00001',
  } satisfies UserIdentity,
} as const;

export interface Tweak {
  /** eventID. Give one whenever a fixture appears more than once in a case. */
  readonly id?: string;
  /** Minutes after T0, or an ISO time. */
  readonly at?: number | string;
  readonly region?: string;
  readonly as?: UserIdentity;
  /** recipientAccountId (and the caller's account). */
  readonly account?: string;
  readonly sourceIp?: string;
  /** Set an errorCode (and drop the response, as CloudTrail does), or `null` to clear one. */
  readonly error?: string | null;
  /** Shallow-merged over requestParameters. */
  readonly request?: Readonly<Record<string, unknown>>;
  /** Shallow-merged over responseElements; `null` replaces them. */
  readonly response?: Readonly<Record<string, unknown>> | null;
  /** Anything else, on the raw record. */
  readonly edit?: (r: CloudTrailRecord) => void;
}

export function record(name: FixtureName, t: Tweak = {}): CloudTrailRecord {
  const r = loadFixture(name);
  if (t.id !== undefined) r.eventID = t.id;
  if (t.at !== undefined) r.eventTime = typeof t.at === 'number' ? at(t.at) : t.at;
  if (t.region !== undefined) r.awsRegion = t.region;
  if (t.as !== undefined) r.userIdentity = structuredClone(t.as);
  if (t.account !== undefined) {
    r.recipientAccountId = t.account;
    if (r.userIdentity) r.userIdentity.accountId = t.account;
  }
  if (t.sourceIp !== undefined) r.sourceIPAddress = t.sourceIp;
  if (t.error === null) {
    delete r.errorCode;
    delete r.errorMessage;
  } else if (t.error !== undefined) {
    r.errorCode = t.error;
    r.errorMessage = `${t.error} (test)`;
    r.responseElements = null;
  }
  if (t.request) r.requestParameters = { ...(r.requestParameters ?? {}), ...structuredClone(t.request) };
  if (t.response === null) r.responseElements = null;
  else if (t.response) r.responseElements = { ...(r.responseElements ?? {}), ...structuredClone(t.response) };
  t.edit?.(r);
  return r;
}

/** A fixture as the engine sees it. Throws if the record does not normalize. */
export function trail(name: FixtureName, t: Tweak = {}): TrailEvent {
  const r = record(name, t);
  const n = normalizeRecord(r, `${name}#0`, name);
  if (!n.ok) throw new Error(`${name} does not normalize: ${n.reason} ${n.message}`);
  return n.event;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => v as Json;

/**
 * Rewrites a RunInstances record to launch `count` instances of `type`:
 * request counts, and (unless the call failed) one response item per
 * instance, ids `${idPrefix}01`, `${idPrefix}02`, ...
 * `cpu: false` drops cpuOptions so vCPUs must be estimated.
 */
export function launch(count: number, type: string, opts: { idPrefix?: string; cpu?: { cores: number; threads: number } | false } = {}) {
  return (r: CloudTrailRecord): void => {
    const req = obj(r.requestParameters);
    req.instanceType = type;
    const spec = (obj(req.instancesSet).items as Json[])[0]!;
    spec.minCount = count;
    spec.maxCount = count;
    const res = r.responseElements;
    if (!res) return;
    const set = obj(res.instancesSet);
    const template = obj((set.items as Json[])[0]);
    const prefix = opts.idPrefix ?? 'i-0b00000000000';
    set.items = Array.from({ length: count }, (_, k) => {
      const copy = structuredClone(template);
      copy.instanceId = `${prefix}${String(k + 1).padStart(2, '0')}`;
      copy.instanceType = type;
      if (opts.cpu === false) delete copy.cpuOptions;
      else if (opts.cpu) copy.cpuOptions = { coreCount: opts.cpu.cores, threadsPerCore: opts.cpu.threads };
      return copy;
    });
  };
}

/** Sets the tags a RunInstances record requests and shows (both places), or removes them. */
export function launchTags(tags: Readonly<Record<string, string>> | undefined) {
  return (r: CloudTrailRecord): void => {
    const req = obj(r.requestParameters);
    const list = tags && Object.entries(tags).map(([key, value]) => ({ key, value }));
    if (list) req.tagSpecificationSet = { items: [{ resourceType: 'instance', tags: list }] };
    else delete req.tagSpecificationSet;
    const items = r.responseElements ? (obj(r.responseElements.instancesSet).items as Json[] | undefined) : undefined;
    for (const inst of items ?? []) {
      if (list) inst.tagSet = { items: list };
      else delete inst.tagSet;
    }
  };
}

/** Ids of the instances a RunInstances fixture's response lists. */
export function instanceIdsOf(r: CloudTrailRecord): string[] {
  const items = r.responseElements ? (obj(r.responseElements.instancesSet).items as Json[] | undefined) : undefined;
  return (items ?? []).map((i) => String(i.instanceId));
}

/** The instance ids in run-instances-success.json. */
export const WEB_INSTANCES = ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002'] as const;
export const GPU_INSTANCE = 'i-0f9e8d7c6b5a40011';
export const ALLOCATION_ID = 'eipalloc-0f1e2d3c4b5a69788';
export const FLEET_ID = 'fleet-8e1c3a5b-7d9f-4b2e-a6c0-2e4a6c8e0b71';
export const SPOT_FLEET_ID = 'sfr-5d2e8a41-9c3b-4f7e-a1d6-0b4c8e2f6a93';
export const SPOT_REQUESTS = ['sir-7k2m9q4a', 'sir-7k2m9q4b', 'sir-7k2m9q4c'] as const;
