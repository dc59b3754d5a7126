import { beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../lambdas/adapters/ledger';
import { extractFacts } from '../../lambdas/core/facts';
import { createResponderTable } from '../support/aws';
import { Principal, trail } from '../support/fixtures';

/** The launch index the billing check joins to: written by the scorer, read by account and time. */

let ledger: Ledger;
beforeAll(async () => {
  ledger = new Ledger({ tableName: await createResponderTable(), ledgerDays: 30, churnMinutes: 30, now: () => Date.now() });
});

describe('the launch index', () => {
  it('keeps successful launches by account and time, and finds them by window and region', async () => {
    const gpu = trail('run-instances-gpu-success.json', { id: 'gpu', at: 0, as: Principal.backupUser });
    const other = trail('run-instances-success.json', { id: 'web', at: 90 });
    const failed = trail('run-instances-gpu-success.json', { id: 'denied', at: 5, error: 'Client.UnauthorizedOperation' });
    for (const e of [gpu, other, failed]) await ledger.recordLaunch(e, extractFacts(e), `rif-${e.eventId}`);
    // A redelivery rewrites the same item.
    await ledger.recordLaunch(gpu, extractFacts(gpu), 'rif-gpu');

    const all = await ledger.launches(gpu.accountId, gpu.time - 60_000, other.time + 60_000);
    expect(all.map((l) => l.eventId)).toEqual(['gpu', 'web']);
    expect(all[0]).toMatchObject({ region: gpu.region, actor: { arn: Principal.backupUser.arn, type: 'IAMUser' }, findingId: 'rif-gpu' });
    expect(all[0]!.instanceTypes.length).toBeGreaterThan(0);
    expect(await ledger.launches(gpu.accountId, gpu.time - 60_000, gpu.time + 60_000)).toHaveLength(1);
    expect(await ledger.launches(gpu.accountId, gpu.time - 60_000, other.time + 60_000, 'eu-west-1')).toEqual([]);
    expect(await ledger.launches('000000000000', 0, Date.now())).toEqual([]);
  });
});
