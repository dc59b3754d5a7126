import {
  describeEnis,
  eniState,
  flaggedIps,
  planContainment,
  remainingUntrackWait,
  summarize,
  type ContainmentManifest,
  type ContainmentPhase,
  type ContainmentPlan,
  type ContainmentProgress,
  type ContainmentReport,
  type ContainmentSettings,
  type EniReport,
  type InstanceManifest,
  type ResponderGroups,
  type SkippedInstance,
} from '../core/containment';
import { describeError, RogueInfraError, TransientError } from '../core/errors';
import type { Finding } from '../core/model';
import { TAG } from '../core/workflow';
import { awsErrorName, isTransient } from './aws';
import {
  blockCidrs,
  currentGroups,
  ensureResponderGroups,
  instanceState,
  holdFromAutoScaling,
  readInstance,
  removeInstanceProfile,
  restoreAddress,
  restoreInstanceProfile,
  returnToAutoScaling,
  revokeOlderSessions,
  setGroups,
  setShutdownBehavior,
  setTerminationProtection,
  shortenTracking,
  snapshotVolume,
  tagInstance,
  unblock,
  REVOKE_POLICY,
  type ContainmentClients,
} from './containment';
import type { ContainmentStore, StoredContainment } from './containment-store';

/**
 * Quarantine and release, step by step, over the calls in ./containment.ts
 * and the manifest in ./containment-store.ts. Used by the workflow's tasks,
 * by the operator's Lambda action and by the CLI, so a rerun from any of
 * them continues the same record:
 *
 *   prepare  record the manifest (once), preserve evidence, untrack every ENI
 *   isolate  isolation group on every ENI (untracking stragglers first), options
 *   contain  prepare, wait, isolate: the operator's one-shot rerun
 *   release  back to the recorded groups and settings; snapshots are kept
 *
 * A step that fails for good stops the run, marks the record failed with
 * the error, tags the instances `failed` and throws a ContainmentError
 * whose message gives the state of every ENI. Throttling and other
 * transient errors are thrown as TransientError for the caller to retry;
 * every step looks before it acts, so the retry does not repeat work.
 */

export interface Scope {
  readonly accountId: string;
  readonly region: string;
}

export interface QuarantineDeps {
  readonly store: ContainmentStore;
  readonly clients: (scope: Scope) => ContainmentClients;
  readonly settings: ContainmentSettings;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class ContainmentError extends RogueInfraError {
  override readonly name = 'ContainmentError';
  constructor(
    message: string,
    readonly report: ContainmentReport,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CONCURRENCY = 8;

async function pooled<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function emptyProgress(phase: ContainmentPhase, at: string): ContainmentProgress {
  return { phase, snapshots: {}, groups: {}, blocked: [], untrackedAt: {}, revokedRoles: [], removedProfiles: [], errors: [], notes: [], updatedAt: at };
}

/** The manifest of the finding's instances as they are now, looking in each of its regions in turn. */
export async function readManifest(finding: Finding, deps: Pick<QuarantineDeps, 'clients' | 'now'>): Promise<ContainmentManifest> {
  const regions = [...new Set([finding.region, ...finding.regions])];
  let pending = [...new Set(finding.resources.instanceIds)];
  const instances: InstanceManifest[] = [];
  const skipped: SkippedInstance[] = [];
  for (const region of regions) {
    if (pending.length === 0) break;
    const c = deps.clients({ accountId: finding.accountId, region });
    const read = await pooled(pending, (id) => readInstance(c, region, id));
    const notHere: string[] = [];
    read.forEach((r, i) => {
      const id = pending[i]!;
      if ('skipped' in r) {
        if (r.skipped.startsWith('not found')) notHere.push(id);
        else skipped.push({ instanceId: id, region, reason: r.skipped });
      } else instances.push(r);
    });
    pending = notHere;
  }
  for (const id of pending) skipped.push({ instanceId: id, region: regions.join('/'), reason: `not found in ${regions.join(', ')}` });
  return { findingId: finding.findingId, accountId: finding.accountId, recordedAt: (deps.now ?? (() => new Date()))().toISOString(), instances, skipped };
}

/** The dry run: what quarantine would do, from the stored manifest when there is one. Changes nothing. */
export async function plan(finding: Finding, deps: QuarantineDeps): Promise<ContainmentPlan> {
  const stored = await deps.store.get(finding.findingId);
  const manifest = stored ? withNewInstances(stored.manifest, await readManifest(unrecorded(finding, stored.manifest), deps)) : await readManifest(finding, deps);
  return planContainment(manifest, deps.settings, flaggedIps(finding, ownIps(manifest)));
}

/**
 * The finding as far as the manifest does not cover it yet: the instances
 * it gained since the manifest was written (it grew after containment). A
 * skipped instance is asked about again: it may exist now in a region the
 * finding has gained.
 */
function unrecorded(finding: Finding, m: ContainmentManifest): Finding {
  const known = new Set(m.instances.map((i) => i.instanceId));
  return { ...finding, resources: { ...finding.resources, instanceIds: finding.resources.instanceIds.filter((id) => !known.has(id)) } };
}

/** The manifest with instances appended (recorded ones are never replaced); skips replaced by the latest answer. */
function withNewInstances(m: ContainmentManifest, extra: ContainmentManifest): ContainmentManifest {
  const found = new Set(extra.instances.map((i) => i.instanceId));
  const asked = new Set([...found, ...extra.skipped.map((s) => s.instanceId)]);
  return {
    ...m,
    instances: [...m.instances, ...extra.instances],
    skipped: [...m.skipped.filter((s) => !asked.has(s.instanceId)), ...extra.skipped],
  };
}

function ownIps(m: ContainmentManifest): string[] {
  return m.instances.flatMap((i) => i.addresses.map((a) => a.publicIp));
}

/** One run over a stored containment: progress kept in memory and saved at each milestone. */
class Run {
  progress: ContainmentProgress;
  version: number;
  readonly manifest: ContainmentManifest;
  private readonly now: () => Date;

  constructor(
    stored: StoredContainment,
    private readonly finding: { findingId: string; accountId: string },
    private readonly deps: QuarantineDeps,
  ) {
    this.manifest = stored.manifest;
    this.progress = stored.progress;
    this.version = stored.version;
    this.now = deps.now ?? (() => new Date());
  }

  clients(i: InstanceManifest): ContainmentClients {
    return this.deps.clients({ accountId: this.finding.accountId, region: i.region });
  }

  note(text: string): void {
    this.progress = { ...this.progress, notes: [...this.progress.notes, text] };
  }

  error(text: string): void {
    this.progress = { ...this.progress, errors: [...this.progress.errors, text] };
  }

  async save(patch: Partial<ContainmentProgress> = {}): Promise<void> {
    this.progress = { ...this.progress, ...patch, updatedAt: this.now().toISOString() };
    this.version = await this.deps.store.update(this.manifest.findingId, this.progress, this.version);
  }

  async tagAll(status: string, except: ReadonlySet<string> = new Set()): Promise<void> {
    for (const i of this.manifest.instances) {
      if (except.has(i.instanceId)) continue;
      // The interfaces too: the containment role may change only what carries this tag.
      await tagInstance(this.clients(i).ec2, [i.instanceId, ...i.enis.map((e) => e.networkInterfaceId)], {
        [TAG.FINDING]: this.manifest.findingId,
        [TAG.CONTAINMENT]: status,
        [TAG.MANIFEST]: this.deps.store.location(this.manifest.findingId).slice(0, 256),
      });
    }
  }

  /** The responder's groups in each VPC the instances use (made on demand), remembered in the progress. */
  async groups(): Promise<Map<string, ResponderGroups>> {
    const out = new Map<string, ResponderGroups>();
    for (const i of this.manifest.instances) {
      for (const vpc of new Set(i.enis.map((e) => e.vpcId).filter(Boolean))) {
        if (!out.has(vpc)) out.set(vpc, await ensureResponderGroups(this.clients(i).ec2, vpc));
      }
    }
    this.progress = { ...this.progress, groups: Object.fromEntries(out) };
    return out;
  }

  /** Every ENI of the manifest as it stands now. */
  async enis(): Promise<EniReport[]> {
    const out: EniReport[] = [];
    for (const i of this.manifest.instances) {
      const now = await currentGroups(this.clients(i).ec2, i.enis.map((e) => e.networkInterfaceId));
      for (const e of i.enis) {
        const groups = now.get(e.networkInterfaceId);
        out.push({
          instanceId: i.instanceId,
          networkInterfaceId: e.networkInterfaceId,
          state: groups ? eniState(groups, e, this.progress.groups[e.vpcId]) : 'changed',
          groups: groups ?? ['(interface gone)'],
        });
      }
    }
    return out;
  }

  report(phase: ContainmentPhase, enis: readonly EniReport[]): ContainmentReport {
    return {
      findingId: this.manifest.findingId,
      phase,
      manifest: this.deps.store.location(this.manifest.findingId),
      enis,
      snapshots: Object.entries(this.progress.snapshots).map(([volumeId, snapshotId]) => ({ volumeId, snapshotId })),
      instances: this.manifest.instances.map((i) => i.instanceId),
      skipped: this.manifest.skipped,
      notes: this.progress.notes,
      errors: this.progress.errors,
      summary: summarize(this.manifest.findingId, phase, enis, this.progress, this.manifest.skipped),
    };
  }

  /** Makes every ENI not yet untracked or isolated untracked; true if any changed. */
  async untrack(groups: Map<string, ResponderGroups>): Promise<boolean> {
    let changed = false;
    const states = new Map((await this.enis()).map((e) => [e.networkInterfaceId, e.state]));
    for (const i of this.manifest.instances) {
      const ec2 = this.clients(i).ec2;
      for (const e of i.enis) {
        const s = states.get(e.networkInterfaceId);
        const g = groups.get(e.vpcId);
        if (!g || s === 'untracked' || s === 'isolated') continue;
        await setGroups(ec2, e.networkInterfaceId, [g.untrack]);
        this.progress = { ...this.progress, untrackedAt: { ...(this.progress.untrackedAt ?? {}), [e.networkInterfaceId]: this.now().toISOString() } };
        const note = await shortenTracking(ec2, e.networkInterfaceId, this.deps.settings.connectionTracking);
        if (note && !this.progress.notes.includes(note)) this.note(note);
        changed = true;
      }
    }
    return changed;
  }

  /** Stops the run: records where every ENI is, tags the instances, throws with all of it. */
  async fail(step: string, err: unknown): Promise<never> {
    if (isTransient(err)) throw new TransientError(`${step}: ${describeError(err)}`, { cause: err });
    const message = `${step}: ${awsErrorName(err)}: ${describeError(err)}`;
    this.error(message);
    let enis: EniReport[] = [];
    try {
      enis = await this.enis();
      await this.save({ phase: 'failed' });
      await this.tagAll('failed');
    } catch (inner) {
      this.error(`while recording the failure: ${describeError(inner)}`);
    }
    const report = this.report('failed', enis);
    throw new ContainmentError(`containment of ${this.manifest.findingId} stopped at ${message}. Interfaces: ${describeEnis(enis) || 'none read'}`, report, { cause: err });
  }
}

async function step<T>(run: Run, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ContainmentError || err instanceof TransientError) throw err;
    return run.fail(name, err);
  }
}

async function open(finding: Finding, deps: QuarantineDeps): Promise<Run> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  let stored: StoredContainment | undefined;
  try {
    stored = (await deps.store.get(finding.findingId)) ?? (await deps.store.create(await readManifest(finding, deps), emptyProgress('recorded', at)));
    // A finding that grew after its manifest was written (more instances by
    // the same principal): the new instances are recorded before any change
    // to them, the recorded ones are left as they were.
    const extra = unrecorded(finding, stored.manifest);
    if (extra.resources.instanceIds.length > 0) {
      const more = await readManifest(extra, deps);
      if (more.instances.length > 0) {
        const manifest = withNewInstances(stored.manifest, more);
        const version = await deps.store.extend(finding.findingId, manifest, stored.version);
        stored = { ...stored, manifest, version };
      }
    }
  } catch (err) {
    if (isTransient(err)) throw new TransientError(`recording the manifest of ${finding.findingId}: ${describeError(err)}`, { cause: err });
    throw err;
  }
  return new Run(stored, finding, deps);
}

/** Manifest (once), evidence, untrack. */
export async function prepare(finding: Finding, deps: QuarantineDeps): Promise<ContainmentReport> {
  const run = await open(finding, deps);
  await step(run, 'tagging the instances', () => run.tagAll('quarantining'));
  for (const i of run.manifest.instances) {
    const { ec2, autoScaling } = run.clients(i);
    for (const v of i.volumes) {
      if (run.progress.snapshots[v.volumeId]) continue;
      try {
        const s = await snapshotVolume(ec2, v, { findingId: run.manifest.findingId, instanceId: i.instanceId });
        run.progress = { ...run.progress, snapshots: { ...run.progress.snapshots, [v.volumeId]: s.snapshotId } };
      } catch (err) {
        // A volume that cannot be snapshotted must not keep the instance un-isolated; it is reported.
        if (isTransient(err)) throw new TransientError(`CreateSnapshot ${v.volumeId}: ${describeError(err)}`, { cause: err });
        run.error(`CreateSnapshot ${v.volumeId} of ${i.instanceId}: ${awsErrorName(err)}: ${describeError(err)}`);
      }
    }
    if (i.spot) {
      const note = `${i.instanceId} is a Spot instance: termination protection is not possible, an interruption can still end it (the snapshots keep its disks)`;
      if (!run.progress.notes.includes(note)) run.note(note);
    } else {
      await step(run, `termination protection on ${i.instanceId}`, () => setTerminationProtection(ec2, i.instanceId, true));
    }
    await step(run, `shutdown behaviour of ${i.instanceId}`, () => setShutdownBehavior(ec2, i.instanceId, 'stop'));
    if (i.autoScaling) {
      const held = await step(run, `Auto Scaling group ${i.autoScaling.groupName} of ${i.instanceId}`, () =>
        holdFromAutoScaling(autoScaling, i.instanceId, i.autoScaling!.groupName, deps.settings.autoScaling),
      );
      const note = `${i.instanceId}: ${held}`;
      if (!run.progress.notes.some((n) => n.startsWith(`${i.instanceId}: `) && /standby|detached/.test(n))) run.note(note);
    }
  }
  await step(run, 'saving the evidence progress', () => run.save());
  const groups = await step(run, 'the responder security groups', () => run.groups());
  await step(run, 'untracking the network interfaces', () => run.untrack(groups));
  await step(run, 'saving the progress', () => run.save({ phase: 'prepared' }));
  return run.report('prepared', await run.enis());
}

/** The isolation group on every ENI, then the optional steps; verifies the result. */
export async function isolate(finding: Finding, deps: QuarantineDeps): Promise<ContainmentReport> {
  if (!(await deps.store.get(finding.findingId))) await prepare(finding, deps);
  const run = await open(finding, deps);
  const groups = await step(run, 'the responder security groups', () => run.groups());
  // An ENI still on its own groups (added since, or left by a failure) is
  // untracked first, and waited for, like the others were.
  await step(run, 'untracking the remaining network interfaces', () => run.untrack(groups));
  // The workflow's Wait state has normally waited already; a rerun, or an
  // ENI untracked just now, waits out what is left.
  const before = await step(run, 'reading the interfaces', () => run.enis());
  const wait = remainingUntrackWait(before, run.progress.untrackedAt ?? {}, deps.settings.untrackSeconds, (deps.now ?? (() => new Date()))().getTime());
  if (wait > 0) {
    await step(run, 'saving the progress', () => run.save());
    await (deps.sleep ?? defaultSleep)(wait);
  }
  for (const i of run.manifest.instances) {
    const ec2 = run.clients(i).ec2;
    const now = await step(run, `reading the groups of ${i.instanceId}`, () => currentGroups(ec2, i.enis.map((e) => e.networkInterfaceId)));
    for (const e of i.enis) {
      const g = groups.get(e.vpcId);
      const current = now.get(e.networkInterfaceId);
      if (!g || !current || eniState(current, e, g) === 'isolated') continue;
      await step(run, `isolating ${e.networkInterfaceId} of ${i.instanceId}`, () => setGroups(ec2, e.networkInterfaceId, [g.isolation]));
    }
  }
  await optional(run, finding, deps);
  const enis = await step(run, 'verifying the interfaces', () => run.enis());
  const open_ = enis.filter((e) => e.state !== 'isolated');
  if (open_.length > 0) {
    await run.fail('verifying the isolation', new Error(`${open_.map((e) => e.networkInterfaceId).join(', ')} not on the isolation group alone`));
  }
  await step(run, 'tagging the instances', () => run.tagAll('quarantined'));
  await step(run, 'saving the progress', () => run.save({ phase: 'isolated' }));
  return run.report('isolated', enis);
}

/** Instance profile, role sessions, network ACLs: by configuration; each failure is reported, none undoes the isolation. */
async function optional(run: Run, finding: Finding, deps: QuarantineDeps): Promise<void> {
  const s = deps.settings;
  for (const i of run.manifest.instances) {
    const { ec2, iam } = run.clients(i);
    if (i.instanceProfile && s.removeInstanceProfile && !run.progress.removedProfiles.includes(i.instanceId)) {
      await step(run, `removing the instance profile of ${i.instanceId}`, () => removeInstanceProfile(ec2, i.instanceId));
      run.progress = { ...run.progress, removedProfiles: [...run.progress.removedProfiles, i.instanceId] };
    }
    if (i.instanceProfile && s.revokeRoleSessions) {
      for (const role of i.instanceProfile.roleNames) {
        if (run.progress.revokedRoles.includes(role)) continue;
        try {
          await revokeOlderSessions(iam, role, (deps.now ?? (() => new Date()))());
          run.progress = { ...run.progress, revokedRoles: [...run.progress.revokedRoles, role] };
        } catch (err) {
          if (isTransient(err)) throw new TransientError(`PutRolePolicy ${role}: ${describeError(err)}`, { cause: err });
          run.error(`revoking the sessions of role ${role}: ${awsErrorName(err)}: ${describeError(err)}`);
        }
      }
    }
  }
  if (s.blockFlaggedIps) {
    const cidrs = flaggedIps(finding, ownIps(run.manifest));
    const byRegion = new Map<string, { instance: InstanceManifest; subnets: Set<string> }>();
    for (const i of run.manifest.instances) {
      const entry = byRegion.get(i.region) ?? { instance: i, subnets: new Set<string>() };
      for (const e of i.enis) if (e.subnetId) entry.subnets.add(e.subnetId);
      byRegion.set(i.region, entry);
    }
    for (const { instance, subnets } of byRegion.values()) {
      if (cidrs.length === 0) break;
      try {
        const blocked = await blockCidrs(run.clients(instance).ec2, [...subnets], cidrs);
        const key = (b: { networkAclId: string; ruleNumber: number; egress: boolean }) => `${b.networkAclId}/${b.egress}/${b.ruleNumber}`;
        const all = new Map([...run.progress.blocked, ...blocked].map((b) => [key(b), b]));
        run.progress = { ...run.progress, blocked: [...all.values()] };
      } catch (err) {
        if (isTransient(err)) throw new TransientError(`blocking ${cidrs.join(', ')}: ${describeError(err)}`, { cause: err });
        run.error(`blocking ${cidrs.join(', ')} in the network ACLs of ${[...subnets].join(', ')}: ${awsErrorName(err)}: ${describeError(err)}`);
      }
    }
  }
}

/** Prepare, then isolate (which waits out the untrack time): the operator's rerun in one call. */
export async function contain(finding: Finding, deps: QuarantineDeps): Promise<ContainmentReport> {
  await prepare(finding, deps);
  return isolate(finding, deps);
}

/**
 * Where each ENI of a finding's containment stands now, read-only: what a
 * failure notice adds when the failure was no exception of ours (a Lambda
 * timeout, say).
 */
export async function status(findingId: string, deps: QuarantineDeps): Promise<{ interfaces: string; report?: ContainmentReport }> {
  const stored = await deps.store.get(findingId);
  if (!stored) return { interfaces: 'no containment record: nothing was changed' };
  const run = new Run(stored, { findingId, accountId: stored.manifest.accountId }, deps);
  const enis = await run.enis();
  return { interfaces: describeEnis(enis) || 'no interfaces recorded', report: run.report(stored.progress.phase, enis) };
}

export interface ReleaseResult {
  /** False when there was nothing to release (never quarantined, or already released). */
  readonly released: boolean;
  readonly message: string;
  readonly report?: ContainmentReport;
}

/**
 * Back to the recorded state: each ENI on exactly its recorded groups, the
 * recorded termination protection and shutdown behaviour, the Auto Scaling
 * group, the instance profile and Elastic IP associations; the network ACL
 * entries removed. Snapshots and revoked sessions stay (evidence, and old
 * credentials are better dead).
 */
export async function release(findingId: string, by: string, deps: QuarantineDeps): Promise<ReleaseResult> {
  const stored = await deps.store.get(findingId);
  if (!stored) return { released: false, message: `${findingId} was never quarantined: there is no containment record, nothing to release.` };
  if (stored.progress.phase === 'released') {
    const when = stored.progress.notes.find((n) => n.startsWith('released by ')) ?? `released at ${stored.progress.updatedAt}`;
    return { released: false, message: `${findingId} is already released (${when}); nothing to do.` };
  }
  const run = new Run(stored, { findingId, accountId: stored.manifest.accountId }, deps);
  const gone = new Set<string>();
  for (const i of run.manifest.instances) {
    const { ec2, autoScaling } = run.clients(i);
    const now = await step(run, `reading the groups of ${i.instanceId}`, () => currentGroups(ec2, i.enis.map((e) => e.networkInterfaceId)));
    // Terminated since (by its owner, or a Spot interruption): nothing to put back.
    const state = await step(run, `reading ${i.instanceId}`, () => instanceState(ec2, i.instanceId));
    if (state === undefined || state === 'terminated' || state === 'shutting-down') {
      run.note(`${i.instanceId} is ${state ?? 'gone'}: nothing to restore on it`);
      gone.add(i.instanceId);
      continue;
    }
    for (const e of i.enis) {
      const current = now.get(e.networkInterfaceId);
      if (!current) {
        run.note(`${e.networkInterfaceId} of ${i.instanceId} no longer exists; its groups were ${e.groups.join(', ')}`);
        continue;
      }
      if (eniState(current, e) === 'original') continue;
      await step(run, `restoring the groups of ${e.networkInterfaceId}`, () => setGroups(ec2, e.networkInterfaceId, e.groups));
    }
    if (!i.spot) await step(run, `termination protection of ${i.instanceId}`, () => setTerminationProtection(ec2, i.instanceId, i.terminationProtection));
    await step(run, `shutdown behaviour of ${i.instanceId}`, () => setShutdownBehavior(ec2, i.instanceId, i.shutdownBehavior));
    if (i.autoScaling && !i.autoScaling.lifecycleState.startsWith('Standby')) {
      const back = await step(run, `Auto Scaling group ${i.autoScaling.groupName}`, () => returnToAutoScaling(autoScaling, i.instanceId, i.autoScaling!.groupName));
      run.note(`${i.instanceId}: ${back}`);
    }
    if (i.instanceProfile && run.progress.removedProfiles.includes(i.instanceId)) {
      await step(run, `instance profile of ${i.instanceId}`, () => restoreInstanceProfile(ec2, i.instanceId, i.instanceProfile!.arn));
    }
    for (const a of i.addresses) {
      if (await step(run, `Elastic IP ${a.publicIp}`, () => restoreAddress(ec2, a))) run.note(`Elastic IP ${a.publicIp} associated with ${a.networkInterfaceId} again`);
    }
  }
  for (const b of run.progress.blocked) {
    const inst = run.manifest.instances[0];
    if (inst) await step(run, `network ACL entry ${b.networkAclId} #${b.ruleNumber}`, () => unblock(run.clients(inst).ec2, b));
  }
  const enis = await step(run, 'verifying the interfaces', () => run.enis());
  const notBack = enis.filter((e) => e.state !== 'original' && e.groups[0] !== '(interface gone)' && !gone.has(e.instanceId));
  if (notBack.length > 0) await run.fail('verifying the release', new Error(`${notBack.map((e) => e.networkInterfaceId).join(', ')} not on the recorded groups`));
  if (run.progress.revokedRoles.length > 0) run.note(`sessions revoked for ${run.progress.revokedRoles.join(', ')} before containment stay revoked (remove the ${REVOKE_POLICY} inline policy by hand if needed)`);
  run.note(`released by ${by} at ${(deps.now ?? (() => new Date()))().toISOString()}; snapshots kept: ${Object.values(run.progress.snapshots).join(', ') || 'none'}`);
  await step(run, 'tagging the instances', () => run.tagAll('released', gone));
  await step(run, 'saving the progress', () => run.save({ phase: 'released', blocked: [] }));
  const report = run.report('released', enis);
  return { released: true, message: report.summary, report };
}
