import { ADDRESS_EVENTS, CAPACITY_SERVICES, EventSource, LAUNCH_EVENTS, QUOTA_EVENTS, RELEASE_EVENTS, isIn } from './constants';
import type { TrailEvent } from './cloudtrail/types';
import { looksLikeInstanceType, parseInstanceType } from './instance-types';
import { collect, collectMany, eachStringLeaf, get, getBoolean, getNumber, getString, isObject, items, strings } from './json-walk';
import { domainsInText, ipsInText } from './threat-intel';

/**
 * What one CloudTrail event means for server acquisition, extracted once
 * and then read by every indicator. Shapes follow the EC2 query API as
 * CloudTrail records it; lookups are case-insensitive and tolerate the
 * list forms (`items`, `item`, arrays) because RequestSpotFleet and
 * CreateFleet record PascalCase XML-ish structures.
 */

export type Outcome = 'succeeded' | 'failed' | 'dry-run';
export type FailureKind = 'denied' | 'limit' | 'account' | 'capacity' | 'other';

export interface Failure {
  readonly code: string;
  readonly kind: FailureKind;
}

export interface LaunchFacts {
  /** Instance ids (or Lightsail instance names) the call created. */
  readonly instanceIds: readonly string[];
  /** Instances created (success) or asked for (failure, dry run, spot/fleet requests). */
  readonly count: number;
  /** Types launched when the response says, else the types asked for. */
  readonly instanceTypes: readonly string[];
  /** Every type the request asked for (fleet overrides list several): asking is telling. */
  readonly requestedTypes: readonly string[];
  /** vCPUs for `count` instances: exact from cpuOptions when recorded, else estimated from the type. */
  readonly vcpus: number;
  readonly imageIds: readonly string[];
  /** Tags the record shows for the instances (requested or in the response). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * False when a launch template may add tags the record does not show:
   * a missing tag then cannot be concluded from CloudTrail alone.
   */
  readonly tagsComplete: boolean;
  readonly keyName?: string;
  readonly spot: boolean;
  /** Spot instance request, spot fleet or EC2 fleet ids. */
  readonly requestIds: readonly string[];
  readonly terminationProtection: boolean;
}

export interface AddressFacts {
  readonly allocationIds: readonly string[];
  readonly publicIps: readonly string[];
  readonly associatedInstanceIds: readonly string[];
}

export interface ReleaseFacts {
  readonly instanceIds: readonly string[];
  readonly allocationIds: readonly string[];
  readonly publicIps: readonly string[];
  readonly requestIds: readonly string[];
}

export interface PortRange {
  /** `-1` means every protocol and port. */
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
  /** The sources this rule opens the ports to. */
  readonly cidrs: readonly string[];
}

export interface IngressFacts {
  readonly groupId?: string;
  readonly cidrs: readonly string[];
  readonly worldOpen: boolean;
  readonly permissions: readonly PortRange[];
}

export function describePorts(permissions: readonly PortRange[]): string {
  if (permissions.length === 0) return 'unspecified ports';
  return permissions
    .map((p) => (p.protocol === '-1' || p.protocol === 'all' ? 'all traffic' : p.from === undefined ? `${p.protocol}/all` : `${p.protocol}/${p.from === p.to || p.to === undefined ? p.from : `${p.from}-${p.to}`}`))
    .join(', ');
}

export interface ModifyFacts {
  readonly instanceId?: string;
  readonly userData: boolean;
  readonly terminationProtection?: boolean;
  readonly instanceType?: string;
}

export interface QuotaFacts {
  readonly serviceCode?: string;
  readonly quotaCode?: string;
  readonly increase: boolean;
  readonly desiredValue?: number;
}

/** An IP, CIDR or domain an event names, for threat-intel lookups. */
export interface Observable {
  /** Where it was found: caller IP, public IP, ingress source, request parameter. */
  readonly what: string;
  readonly value: string;
  readonly kind: 'ip' | 'domain';
}

export interface EventFacts {
  readonly outcome: Outcome;
  /** Every address and domain the call names, deduplicated (a /0 block is never one). */
  readonly observables: readonly Observable[];
  readonly failure?: Failure;
  /** The AWS service that made the call on our behalf (Auto Scaling, Spot Fleet, ...). */
  readonly serviceInvoked?: string;
  readonly launch?: LaunchFacts;
  readonly address?: AddressFacts;
  readonly release?: ReleaseFacts;
  readonly ingress?: IngressFacts;
  readonly modify?: ModifyFacts;
  readonly keyPair?: { readonly name: string; readonly imported: boolean };
  readonly quota?: QuotaFacts;
}

const DENIED = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'UnauthorizedAccess', 'AuthFailure', 'OptInRequired']);
const LIMITS = new Set([
  'VcpuLimitExceeded', 'InstanceLimitExceeded', 'MaxSpotInstanceCountExceeded', 'MaxSpotFleetRequestCountExceeded',
  'AddressLimitExceeded', 'ResourceLimitExceeded', 'RequestLimitExceeded', 'ServiceQuotaExceededException',
  'SpotMaxPriceTooLow', 'InsufficientAddressCapacity',
]);
const ACCOUNT = new Set(['PendingVerification', 'Blocked', 'SubscriptionRequiredException', 'AccountNotVerified']);
const CAPACITY = new Set(['InsufficientInstanceCapacity', 'InsufficientHostCapacity', 'InsufficientReservedInstanceCapacity', 'Unsupported', 'InsufficientCapacityOnHost']);

/** `Client.UnauthorizedOperation` -> `UnauthorizedOperation`. */
function bareCode(code: string): string {
  return code.replace(/^(Client|Server)\./, '');
}

export function classifyFailure(code: string): Failure | 'dry-run' {
  const bare = bareCode(code);
  if (bare === 'DryRunOperation') return 'dry-run';
  const kind: FailureKind = DENIED.has(bare)
    ? 'denied'
    : LIMITS.has(bare)
      ? 'limit'
      : ACCOUNT.has(bare)
        ? 'account'
        : CAPACITY.has(bare)
          ? 'capacity'
          : 'other';
  return { code, kind };
}

/**
 * The capacity service that made the call, if any: from `invokedBy`, from a
 * service host name as sourceIPAddress, or from a service-linked role (which
 * only the service itself can assume).
 */
function serviceCaller(event: TrailEvent): string | undefined {
  const invokedBy = event.actor.invokedBy;
  if (invokedBy && CAPACITY_SERVICES.has(invokedBy)) return invokedBy;
  if (event.sourceIp && CAPACITY_SERVICES.has(event.sourceIp)) return event.sourceIp;
  if (event.actor.issuerArn && /:role\/aws-service-role\//.test(event.actor.issuerArn)) return event.actor.issuerArn;
  return undefined;
}

export interface FactOptions {
  /**
   * Extract every IP and domain the event names, for threat-intel lookups
   * (default true). Only the threat-intel indicator reads them: a one-shot
   * hunt with no feeds configured sets this false and skips walking every
   * request parameter.
   */
  readonly observables?: boolean;
}

export function extractFacts(event: TrailEvent, options: FactOptions = {}): EventFacts {
  let outcome: Outcome = 'succeeded';
  let failure: Failure | undefined;
  if (event.errorCode) {
    const f = classifyFailure(event.errorCode);
    if (f === 'dry-run') outcome = 'dry-run';
    else {
      outcome = 'failed';
      failure = f;
    }
  }
  const facts: { -readonly [K in keyof EventFacts]: EventFacts[K] } = { outcome, observables: [] };
  if (failure) facts.failure = failure;
  const service = serviceCaller(event);
  if (service) facts.serviceInvoked = service;

  const { eventSource: source, eventName: name } = event;
  const req = event.requestParameters ?? {};
  const res = event.responseElements ?? {};
  if (isIn(LAUNCH_EVENTS, source, name)) facts.launch = source === EventSource.LIGHTSAIL ? lightsailLaunch(req, res) : ec2Launch(name, req, res, outcome);
  else if (isIn(ADDRESS_EVENTS, source, name)) facts.address = addressFacts(source, req, res);
  else if (isIn(RELEASE_EVENTS, source, name)) facts.release = releaseFacts(source, name, req, res);
  else if (isIn(QUOTA_EVENTS, source, name)) facts.quota = quotaFacts(name, req);
  else if (source === EventSource.EC2) {
    if (name === 'AuthorizeSecurityGroupIngress') facts.ingress = ingressFacts(req);
    else if (name === 'ModifyInstanceAttribute') facts.modify = modifyFacts(req);
    else if (name === 'CreateKeyPair' || name === 'ImportKeyPair') {
      const keyName = getString(req, 'keyName') ?? getString(res, 'keyName');
      if (keyName) facts.keyPair = { name: keyName, imported: name === 'ImportKeyPair' };
    }
  }
  if (options.observables !== false) facts.observables = observablesOf(event, facts);
  return facts;
}

/**
 * Every IP, CIDR and domain an event names, with where it was found first.
 * Extracted once with the other facts, so the raw response can be dropped
 * and threat intel still checked (also against feeds refreshed later).
 * A /0 block is everyone, not an address: it overlaps every listed block
 * and would make any world-open rule a "hit", so it is never kept.
 */
function observablesOf(event: TrailEvent, facts: EventFacts): Observable[] {
  const out: Observable[] = [];
  const ips = new Set<string>();
  const domains = new Set<string>();
  const add = (what: string, value: string, kind: 'ip' | 'domain'): void => {
    const seen = kind === 'ip' ? ips : domains;
    if (seen.has(value) || (kind === 'ip' && isWorld(value))) return;
    seen.add(value);
    out.push({ what, value, kind });
  };
  const src = event.sourceIp;
  if (src) add('caller IP', src, /[a-z]/i.test(src) && !src.includes(':') ? 'domain' : 'ip');
  for (const ip of facts.address?.publicIps ?? []) add('public IP', ip, 'ip');
  for (const cidr of facts.ingress?.cidrs ?? []) add('ingress source', cidr, 'ip');
  const params = event.requestParameters;
  if (params) {
    eachStringLeaf(
      params,
      (s) => {
        // Both an IPv4 address and a domain have a dot: most values (ids, names, numbers) are ruled out at once.
        if (!s.includes('.')) return;
        for (const ip of ipsInText(s)) add('request parameter', ip, 'ip');
        for (const d of domainsInText(s)) if (!looksLikeInstanceType(d)) add('request parameter', d, 'domain');
      },
      500,
    );
  }
  return out;
}

function tagsFrom(values: readonly unknown[], out: Record<string, string> = {}): Record<string, string> {
  for (const v of values) {
    for (const tag of items(v)) {
      const key = getString(tag, 'key');
      if (key) out[key] = getString(tag, 'value') ?? '';
    }
  }
  return out;
}

/** The tag lists of a tag specification: `tags`, `Tag`, `tagSet` (skipping the `"tag": 1` index markers). */
const TAG_LIST_KEYS = new Set(['tag', 'tags', 'tagset']);

function tagLists(spec: unknown, lists: unknown[]): void {
  if (!isObject(spec)) return;
  for (const k in spec) {
    const v = spec[k];
    if (k.length <= 6 && TAG_LIST_KEYS.has(k.toLowerCase()) && (Array.isArray(v) || isObject(v))) lists.push(v);
  }
}

type Found = Map<string, unknown[]>;
const at = (found: Found, key: string): unknown[] => found.get(key.toLowerCase()) ?? [];

/** Keys a launch request and response are read for, each tree walked once. */
const REQUEST_KEYS = ['instanceType', 'imageId', 'totalTargetCapacity', 'targetCapacity', 'instanceCount', 'keyName', 'marketType', 'tagSpecificationSet', 'TagSpecification', 'launchTemplate', 'LaunchTemplateSpecification'];
const RESPONSE_KEYS = ['instanceId', 'instanceIds', 'instanceType', 'spotInstanceRequestId', 'spotFleetRequestId', 'fleetId'];
/** Keys a release request is read for (TerminateInstances, ReleaseAddress, Cancel*, Delete*Fleets). */
const RELEASE_KEYS = ['spotFleetRequestId', 'spotInstanceRequestId', 'fleetId', 'instanceId'];

/** Tags requested for instances (tagSpecificationSet) and tags the response shows on them. */
function launchTags(q: Found, res: Record<string, unknown>): { tags: Record<string, string>; complete: boolean } {
  const requested: unknown[] = [];
  for (const spec of [...at(q, 'tagSpecificationSet'), ...at(q, 'TagSpecification')]) {
    for (const s of items(spec)) {
      const type = getString(s, 'resourceType');
      if (type === undefined || type === 'instance' || type === 'spot-instances-request' || type === 'fleet') tagLists(s, requested);
    }
  }
  // The instances' own tag sets (not those of their network interfaces).
  const shown: unknown[] = [];
  for (const i of items(get(res, 'instancesSet'))) {
    const t = get(i, 'tagSet');
    if (t !== undefined) shown.push(t);
  }
  const usesTemplate = at(q, 'launchTemplate').length > 0 || at(q, 'LaunchTemplateSpecification').length > 0;
  // A response that shows the instances' tags is complete; a request alone
  // is not when a launch template can add more.
  return { tags: tagsFrom(shown, tagsFrom(requested)), complete: !usesTemplate || shown.length > 0 };
}

function ec2Launch(name: string, req: Record<string, unknown>, res: Record<string, unknown>, outcome: Outcome): LaunchFacts {
  const q = collectMany(req, REQUEST_KEYS);
  const r = collectMany(res, RESPONSE_KEYS);
  const instanceIds = strings(at(r, 'instanceId').concat(at(r, 'instanceIds'))).filter((id) => id.startsWith('i-'));
  // What was launched when the response says; else what was asked for.
  const launchedTypes = strings(at(r, 'instanceType'));
  const requestedTypes = strings(at(q, 'instanceType'));
  const instanceTypes = launchedTypes.length > 0 ? launchedTypes : requestedTypes;
  const imageIds = strings(at(q, 'imageId'));
  const requestIds = strings(at(r, 'spotInstanceRequestId').concat(at(r, 'spotFleetRequestId')).concat(at(r, 'fleetId')));

  // How many instances: what was created, else what was asked for.
  let count = instanceIds.length;
  if (count === 0 || outcome !== 'succeeded' || name !== 'RunInstances') {
    const asked =
      name === 'RunInstances'
        ? sum(items(get(req, 'instancesSet')).map((i) => getNumber(i, 'maxCount') ?? getNumber(i, 'minCount') ?? 1))
        : name === 'RequestSpotInstances'
          ? (getNumber(req, 'instanceCount') ?? 1)
          : (firstNumber(at(q, 'totalTargetCapacity')) ?? firstNumber(at(q, 'targetCapacity')) ?? firstNumber(at(q, 'instanceCount')) ?? 1);
    count = Math.max(count, asked);
  }

  // vCPUs: exact per instance from cpuOptions when the response has them.
  const described = items(get(res, 'instancesSet'));
  let vcpus = 0;
  let exact = described.length > 0;
  for (const inst of described) {
    const cpu = get(inst, 'cpuOptions');
    const cores = getNumber(cpu, 'coreCount');
    const threads = getNumber(cpu, 'threadsPerCore');
    if (cores !== undefined && threads !== undefined) vcpus += cores * threads;
    else exact = false;
  }
  if (!exact) {
    const perInstance = Math.max(0, ...instanceTypes.map((t) => parseInstanceType(t)?.vcpus ?? 0));
    vcpus = perInstance * count;
  }

  const keyName = getString(req, 'keyName') ?? strings(at(q, 'keyName'))[0];
  const marketType = strings(at(q, 'marketType'))[0];
  const { tags, complete } = launchTags(q, res);
  return {
    instanceIds,
    count,
    instanceTypes,
    requestedTypes,
    vcpus,
    imageIds,
    tags,
    tagsComplete: complete,
    ...(keyName ? { keyName } : {}),
    spot: name !== 'RunInstances' || marketType === 'spot',
    requestIds,
    terminationProtection: getBoolean(req, 'disableApiTermination') === true,
  };
}

function lightsailLaunch(req: Record<string, unknown>, _res: Record<string, unknown>): LaunchFacts {
  const names = strings(collect(req, 'instanceNames'));
  const bundle = getString(req, 'bundleId');
  return {
    instanceIds: names,
    count: Math.max(1, names.length),
    instanceTypes: bundle ? [`lightsail:${bundle}`] : [],
    requestedTypes: bundle ? [`lightsail:${bundle}`] : [],
    vcpus: 0,
    imageIds: strings(collect(req, 'blueprintId')),
    tags: tagsFrom(collect(req, 'tags')),
    tagsComplete: true,
    spot: false,
    requestIds: [],
    terminationProtection: false,
  };
}

function addressFacts(source: string, req: Record<string, unknown>, res: Record<string, unknown>): AddressFacts {
  if (source === EventSource.LIGHTSAIL) {
    return { allocationIds: strings([get(req, 'staticIpName')]), publicIps: [], associatedInstanceIds: strings([get(req, 'instanceName')]) };
  }
  return {
    allocationIds: strings([get(res, 'allocationId'), get(req, 'allocationId')]),
    publicIps: strings([get(res, 'publicIp'), get(req, 'publicIp')]),
    associatedInstanceIds: strings([get(req, 'instanceId')]),
  };
}

function releaseFacts(source: string, name: string, req: Record<string, unknown>, res: Record<string, unknown>): ReleaseFacts {
  if (source === EventSource.LIGHTSAIL) {
    return {
      instanceIds: strings([get(req, 'instanceName')]),
      allocationIds: strings([get(req, 'staticIpName')]),
      publicIps: [],
      requestIds: [],
    };
  }
  const q = collectMany(req, RELEASE_KEYS);
  const requestIds = strings(at(q, 'spotFleetRequestId').concat(at(q, 'spotInstanceRequestId')).concat(at(q, 'fleetId')));
  return {
    instanceIds: name === 'TerminateInstances' ? strings(at(q, 'instanceId').concat(collect(res, 'instanceId'))) : [],
    allocationIds: strings([get(req, 'allocationId')]),
    publicIps: strings([get(req, 'publicIp')]),
    requestIds,
  };
}

/** A /0 block is the whole internet whatever address it is written with (0.0.0.0/0, ::/0, 1.2.3.4/0). */
export function isWorld(cidr: string): boolean {
  return /\/0+$/.test(cidr.trim());
}

const CIDR_KEYS = ['cidrIp', 'cidrIpv6'];

function cidrsIn(v: unknown): string[] {
  const found = collectMany(v, CIDR_KEYS);
  return strings(at(found, 'cidrIp').concat(at(found, 'cidrIpv6')));
}

function ingressFacts(req: Record<string, unknown>): IngressFacts {
  const perms = items(get(req, 'ipPermissions')).filter((p) => get(p, 'ipProtocol') !== undefined);
  const permissions: PortRange[] = [];
  // Newer records list ipPermissions, each with its own sources; the old
  // flat form puts protocol, ports and cidrIp on the request itself.
  const flat = perms.length === 0;
  for (const p of flat ? [req] : perms) {
    const protocol = getString(p, 'ipProtocol') ?? (getNumber(p, 'ipProtocol') === -1 ? '-1' : undefined);
    if (protocol === undefined) continue;
    const from = getNumber(p, 'fromPort');
    const to = getNumber(p, 'toPort');
    const cidrs = flat ? strings([get(req, 'cidrIp'), get(req, 'cidrIpv6')]) : cidrsIn(p);
    permissions.push({ protocol, ...(from !== undefined && from >= 0 ? { from } : {}), ...(to !== undefined && to >= 0 ? { to } : {}), cidrs });
  }
  const cidrs = cidrsIn(req);
  const groupId = getString(req, 'groupId') ?? getString(req, 'groupName');
  return { ...(groupId ? { groupId } : {}), cidrs, worldOpen: cidrs.some(isWorld), permissions };
}

function modifyFacts(req: Record<string, unknown>): ModifyFacts {
  const attribute = getString(req, 'attribute');
  const instanceId = getString(req, 'instanceId');
  const protection = getBoolean(req, 'disableApiTermination') ?? (attribute === 'disableApiTermination' ? getBoolean(req, 'value') : undefined);
  const instanceType = getString(req, 'instanceType') ?? (attribute === 'instanceType' ? getString(req, 'value') : undefined);
  return {
    ...(instanceId ? { instanceId } : {}),
    userData: get(req, 'userData') !== undefined || attribute === 'userData',
    ...(protection !== undefined ? { terminationProtection: protection } : {}),
    ...(instanceType ? { instanceType } : {}),
  };
}

function quotaFacts(name: string, req: Record<string, unknown>): QuotaFacts {
  const serviceCode = getString(req, 'serviceCode');
  const quotaCode = getString(req, 'quotaCode');
  const desiredValue = getNumber(req, 'desiredValue');
  return {
    ...(serviceCode ? { serviceCode } : {}),
    ...(quotaCode ? { quotaCode } : {}),
    increase: name === 'RequestServiceQuotaIncrease',
    ...(desiredValue !== undefined ? { desiredValue } : {}),
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function firstNumber(values: unknown[]): number | undefined {
  for (const v of values) {
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : isObject(v) ? Number(v.value) : NaN;
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}
