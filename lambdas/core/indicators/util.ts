import type { EventGroup, ObservedEvent } from '../model';

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function ids(events: readonly ObservedEvent[]): string[] {
  return events.map((e) => e.event.eventId);
}

export function where(group: EventGroup, pred: (e: ObservedEvent) => boolean): ObservedEvent[] {
  return group.events.filter(pred);
}

export const succeeded = (e: ObservedEvent): boolean => e.facts.outcome === 'succeeded';

/** "p3.16xlarge x3, t3.micro" */
export function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return tallyCounts(counts);
}

/** The same from counts already made (in first-seen order). */
export function tallyCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts].map(([v, n]) => (n > 1 ? `${v} x${n}` : v)).join(', ');
}

export function list(values: readonly string[], max = 5): string {
  const uniq = [...new Set(values)];
  return uniq.length <= max ? uniq.join(', ') : `${uniq.slice(0, max).join(', ')} and ${uniq.length - max} more`;
}

export function minutes(ms: number): string {
  const m = ms / 60_000;
  if (m < 1) return `${Math.round(ms / 1000)} s`;
  if (m < 120) return `${Math.round(m)} min`;
  return `${(m / 60).toFixed(1)} h`;
}
