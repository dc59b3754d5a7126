/**
 * CloudTrail's eventTime is ISO 8601 (`2024-08-01T11:30:23Z`), but exported
 * and re-processed data is not: Panther writes `2024-12-16 18:41:07.000000000`,
 * Logstash drops eventTime and keeps `@timestamp`. This accepts those forms
 * and nothing vaguer: a time we would have to guess at is reported instead.
 */
const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|UTC|[+-]\d{2}:?\d{2})?$/;

/** CloudTrail's own form, `2024-08-01T11:30:23Z`: the one almost every record has. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The two-digit number at `at` (digits already checked). */
function twoDigits(value: string, at: number): number {
  return (value.charCodeAt(at) - 48) * 10 + (value.charCodeAt(at + 1) - 48);
}

/** Epoch milliseconds, or undefined when the value is not a time we can trust. */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  // Date.parse reads CloudTrail's form exactly, except that it rolls over a
  // day past the end of its month (2024-02-31) and 24:00:00: days after the
  // 28th and hours past 23 are left to the full parser, which refuses those.
  if (value.length === 20 && CANONICAL.test(value) && twoDigits(value, 8) <= 28 && twoDigits(value, 11) < 24) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return t;
  }
  const m = ISO_LIKE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const millis = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Reject 2024-02-31 and friends instead of letting Date roll them over.
  if (new Date(t).getUTCDate() !== day) return undefined;
  if (zone && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    t -= sign * offset * 60_000;
  }
  return t;
}

export function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/**
 * The ISO form of the time `parseEventTime` read from `raw`. CloudTrail's
 * own form only lacks the milliseconds: formatting through Date costs about
 * a microsecond, and every event a reader keeps is normalised. A leap
 * second (`:60`), read as the next minute, goes through Date.
 */
export function isoOf(raw: unknown, epochMs: number): string {
  if (typeof raw === 'string' && raw.length === 20 && CANONICAL.test(raw) && twoDigits(raw, 17) < 60) return `${raw.slice(0, 19)}.000Z`;
  return toIso(epochMs);
}
