import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoOf, parseEventTime } from '../../../lambdas/core/cloudtrail/time';

describe('parseEventTime', () => {
  it("reads CloudTrail's own form exactly, for any second of any day", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const t = Math.floor(d.getTime() / 1000) * 1000;
        expect(parseEventTime(new Date(t).toISOString().replace('.000Z', 'Z'))).toBe(t);
      }),
    );
  });

  it.each(['2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-04-31T10:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T23:60:00Z', '2024-13-01T00:00:00Z', '2024-01-32T00:00:00Z'])(
    'refuses %s rather than rolling it over',
    (v) => expect(parseEventTime(v)).toBeUndefined(),
  );

  it.each([
    ['2024-02-29T23:59:59Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['2024-12-16 18:41:07.000000000', Date.UTC(2024, 11, 16, 18, 41, 7)],
    ['2024-08-01T11:30:23.250Z', Date.UTC(2024, 7, 1, 11, 30, 23, 250)],
    ['2024-08-01T13:30:23+02:00', Date.UTC(2024, 7, 1, 11, 30, 23)],
  ])('reads %s', (v, t) => expect(parseEventTime(v)).toBe(t));
});

describe('isoOf', () => {
  it('gives what Date would for every time read, without going through Date for CloudTrail\'s own form', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const t = Math.floor(d.getTime() / 1000) * 1000;
        const raw = new Date(t).toISOString().replace('.000Z', 'Z');
        expect(isoOf(raw, parseEventTime(raw)!)).toBe(new Date(t).toISOString());
      }),
    );
  });

  it.each(['2024-06-28T10:00:60Z', '2024-12-16 18:41:07.000000000', '2024-08-01T11:30:23.250Z', '2024-08-01T13:30:23+02:00', '2024-02-29T23:59:59Z'])('formats %s as Date does', (raw) => {
    const t = parseEventTime(raw)!;
    expect(isoOf(raw, t)).toBe(new Date(t).toISOString());
  });
});
