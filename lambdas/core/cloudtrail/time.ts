/**
 * CloudTrail's eventTime is ISO 8601 (`2024-08-01T11:30:23Z`), but exported
 * and re-processed data is not: Panther writes `2024-12-16 18:41:07.000000000`,
 * Logstash drops eventTime and keeps `@timestamp`. This accepts those forms
 * and nothing vaguer: a time we would have to guess at is reported instead.
 */
const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|UTC|[+-]\d{2}:?\d{2})?$/;

/** Epoch milliseconds, or undefined when the value is not a time we can trust. */
/** CloudTrail's own form, `2024-08-01T11:30:23Z`: the one almost every record has. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function parseEventTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length === 20 && CANONICAL.test(value)) {
    // Date.parse reads this form exactly, except that it rolls over a day
    // past the end of its month (2024-02-31) and 24:00:00: those days and
    // that hour are left to the full parser below, which refuses them.
    const t = Date.parse(value);
    const digits = (at: number): number => (value.charCodeAt(at) - 48) * 10 + (value.charCodeAt(at + 1) - 48);
    if (Number.isFinite(t) && digits(8) <= 28 && digits(11) < 24) return t;
    if (Number.isFinite(t) && new Date(t).toISOString().slice(0, 19) === value.slice(0, 19)) return t;
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
