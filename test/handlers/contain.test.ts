import { beforeAll, describe, expect, it } from 'vitest';
import { containmentStore } from '../../lambdas/adapters/containment-store';
import { recordFinding } from '../../lambdas/adapters/findings';
import { DEFAULT_CONTAINMENT } from '../../lambdas/core/containment';
import { InputError } from '../../lambdas/core/errors';
import { buildFinding } from '../../lambdas/core/finding';
import type { Finding } from '../../lambdas/core/model';
import { containmentSettings, makeContainHandler, type OperatorResult } from '../../lambdas/handlers/contain';
import { createResponderTable } from '../support/aws';
import { buildEstate, recordingClients, REGION } from '../support/estate';
import { Principal, trail } from '../support/fixtures';
import { context, group } from '../support/groups';
import { MOTO_ACCOUNT } from '../support/moto';

/**
 * The Contain handler's own contract: which inputs it takes (and how it
 * says what is wrong with the others), and the operator actions by
 * finding id. The steps themselves are tested in test/adapters/quarantine.test.ts.
 */

let table: string;
let handle: ReturnType<typeof makeContainHandler>;

beforeAll(async () => {
  table = await createResponderTable();
  const clients = recordingClients([]);
  handle = makeContainHandler({
    store: containmentStore({ tableName: table }),
    clients: () => clients,
    settings: { ...DEFAULT_CONTAINMENT, untrackSeconds: 0 },
    getFinding: async (id) => {
      const { getFinding } = await import('../../lambdas/adapters/findings');
      return (await getFinding(id, { tableName: table }))?.finding;
    },
  });
});

describe('input', () => {
  it.each([
    [undefined, /"action" must be one of plan, prepare, isolate, contain, release, status; found nothing/],
    [{ action: 'terminate', finding: {} }, /"action" must be one of .*found "terminate"/],
    [{ action: 'plan' }, /plan needs "finding" with findingId and resources\.instanceIds/],
    [{ action: 'release' }, /release needs "findingId"/],
    [{ action: 'contain', findingId: 'rif-1', requestedBy: 42 }, /"requestedBy" must be a name or an address; found 42/],
  ])('%j is refused with what was expected', async (input, message) => {
    const err = await handle(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(message);
  });
});

describe('operator actions', () => {
  it('releasing an unknown finding changes nothing and says why', async () => {
    const out = (await handle({ action: 'release', findingId: 'rif-unknown', requestedBy: 'sam' })) as OperatorResult;
    expect(out).toEqual({ changed: false, message: 'rif-unknown was never quarantined: there is no containment record, nothing to release.' });
  });

  it('status of a finding never contained says nothing was changed', async () => {
    expect(await handle({ action: 'status', findingId: 'rif-unknown' })).toEqual({ interfaces: 'no containment record: nothing was changed' });
  });

  it('containing an unknown finding is refused with the id', async () => {
    await expect(handle({ action: 'contain', findingId: 'rif-unknown' })).rejects.toThrow(/there is no finding rif-unknown in the responder table/);
  });

  it('contains a recorded finding by id, then releases it, each with an outcome to notify', async () => {
    const estate = await buildEstate();
    const base = buildFinding(group([trail('run-instances-gpu-success.json', { as: Principal.backupUser })]), context())!;
    const finding: Finding = { ...base, findingId: `rif-${estate.instanceId}`, accountId: MOTO_ACCOUNT, region: REGION, regions: [REGION], resources: { ...base.resources, instanceIds: [estate.instanceId] } };
    await recordFinding(finding, { kind: 'assessed', at: new Date().toISOString() }, { tableName: table });

    const contained = (await handle({ action: 'contain', findingId: finding.findingId, requestedBy: 'sam.ops@example.com' })) as OperatorResult;
    expect(contained).toMatchObject({ changed: true, finding: { findingId: finding.findingId }, outcome: { kind: 'contained', requestedBy: 'sam.ops@example.com' } });
    expect(contained.outcome!.summary).toMatch(/^Quarantine run by sam\.ops@example\.com\. Contained 1 instance/);

    const now = (await handle({ action: 'status', findingId: finding.findingId })) as { interfaces: string };
    expect(now.interfaces).toMatch(new RegExp(`^${estate.primaryEni} \\(${estate.instanceId}\\): isolated \\[sg-\\w+\\]; ${estate.secondaryEni} `));

    const released = (await handle({ action: 'release', findingId: finding.findingId })) as OperatorResult;
    expect(released).toMatchObject({ changed: true, outcome: { kind: 'released', requestedBy: 'an operator' } });
    expect(released.outcome!.containment!.enis.map((e) => e.state)).toEqual(['original', 'original']);
  });
});

describe('CONTAINMENT_SETTINGS', () => {
  it('fills what is absent from the defaults and reports bad JSON by name', () => {
    expect(containmentSettings(undefined)).toEqual(DEFAULT_CONTAINMENT);
    expect(containmentSettings('{"untrackSeconds":5,"blockFlaggedIps":true}')).toEqual({ ...DEFAULT_CONTAINMENT, untrackSeconds: 5, blockFlaggedIps: true });
    expect(() => containmentSettings('{untrackSeconds')).toThrow(/CONTAINMENT_SETTINGS is not valid JSON/);
  });
});
