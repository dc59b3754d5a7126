import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition, type ObservedEvent } from '../model';
import { ids, list, tally } from './util';

const ACQUIRING = (e: ObservedEvent): boolean => e.facts.launch !== undefined || e.facts.address !== undefined || e.facts.modify?.instanceType !== undefined;

/** Failures that say the caller lacks permission or headroom, not a typo or AWS capacity. */
export function telling(e: ObservedEvent): boolean {
  const kind = e.facts.failure?.kind;
  return kind === 'denied' || kind === 'limit' || kind === 'account';
}

export const failedProvisioning: IndicatorDefinition = {
  id: IndicatorId.FAILED_PROVISIONING,
  title: 'Failed or probing provisioning calls',
  threshold: () => 'any denied, limit or account-state failure, or any DryRun',
  kind: 'activity',
  evaluate(group) {
    const attempts = group.events.filter((e) => ACQUIRING(e) && e.facts.outcome !== 'succeeded');
    if (attempts.length === 0) return notApplicable('no failed or dry-run acquisition calls');
    const failures = attempts.filter(telling);
    const dryRuns = attempts.filter((e) => e.facts.outcome === 'dry-run');
    if (failures.length === 0 && dryRuns.length === 0) {
      return quiet(`failures were ${list(attempts.map((e) => e.facts.failure?.code ?? 'unknown'))} (not permission or limit errors)`);
    }
    const parts: string[] = [];
    if (failures.length) parts.push(`${tally(failures.map((e) => `${e.event.eventName} ${e.facts.failure!.code}`))}`);
    if (dryRuns.length) parts.push(`${tally(dryRuns.map((e) => `${e.event.eventName} dry run`))}`);
    return fired(parts.join('; '), ids([...failures, ...dryRuns]), {
      failures: failures.length,
      dryRuns: dryRuns.length,
      codes: [...new Set(failures.map((e) => e.facts.failure!.code))],
    });
  },
};
