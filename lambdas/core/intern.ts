/**
 * One shared copy of a string that many events repeat (a region, an event
 * name, a caller's ARN, a user agent).
 *
 * `JSON.parse` makes a fresh string for every value, so without this each
 * of a hunt's thousands of retained events carries its own copies: more
 * for every garbage collection to copy while the hunt reads, and more
 * memory. Bounded: a value that is rarely repeated (an id) cannot grow the
 * pool for ever; when it is full it starts again, which only costs sharing.
 */
const POOL = new Map<string, string>();
const MAX = 20_000;

export function intern(s: string): string {
  const shared = POOL.get(s);
  if (shared !== undefined) return shared;
  if (POOL.size >= MAX) POOL.clear();
  POOL.set(s, s);
  return s;
}
