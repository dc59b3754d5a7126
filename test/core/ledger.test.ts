import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../lambdas/core/facts';
import { buildFinding } from '../../lambdas/core/finding';
import { compactEvent, placeEvent, toEventGroup } from '../../lambdas/core/ledger';
import { DEFAULT_SETTINGS } from '../../lambdas/core/settings';
import { emptyThreatIntel } from '../../lambdas/core/threat-intel';
import { groupKey } from '../../lambdas/core/correlate';
import { trail } from '../support/fixtures';

/** The cloud ledger's grouping: events arrive one at a time, not necessarily in order. */

const observed = (at: string, id: string) => {
  const event = trail('run-instances-success.json', { at, id });
  const facts = extractFacts(event);
  return { key: groupKey(event, facts), o: compactEvent(event, facts, { regionFirstSeen: false, principalFirstSeen: false }, []) };
};

describe('placeEvent', () => {
  it('keeps the finding id of a group when a late event happened before the one that opened it', () => {
    const opener = observed('2024-08-01T11:30:05Z', '11111111-0000-4000-8000-000000000001');
    const opened = placeEvent(undefined, opener.o, opener.key, DEFAULT_SETTINGS);
    expect(opened.kind).toBe('opened');
    // Delivered second, happened three seconds earlier (EventBridge does not promise order).
    const late = observed('2024-08-01T11:30:02Z', '11111111-0000-4000-8000-000000000002');
    const joined = placeEvent(opened.group, late.o, late.key, DEFAULT_SETTINGS);
    expect(joined.kind).toBe('joined');
    expect(joined.group.findingId).toBe(opened.group.findingId);
    expect(joined.group.events[0]!.event.eventId).toBe(late.o.event.eventId);
    const finding = buildFinding(toEventGroup(joined.group), { settings: DEFAULT_SETTINGS, intel: emptyThreatIntel() });
    expect(finding?.findingId).toBe(opened.group.findingId);
    expect(finding?.firstSeen).toBe('2024-08-01T11:30:02.000Z');
  });
});
