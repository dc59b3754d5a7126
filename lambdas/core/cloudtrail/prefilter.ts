/**
 * Decides from the raw bytes of a record candidate whether it can matter,
 * so the reader only pays for JSON.parse on the few percent of records that
 * are provisioning calls.
 *
 * It looks for each `"eventName"` key and reads the string after it. The
 * answer is conservative: `true` unless every eventName in the candidate is
 * one the engine does not read. A candidate with no `"eventName"` key at all
 * (another EventBridge detail-type, Panther's lower-cased keys, an Insight
 * event, plain junk) is also `true`: parsing it is the only way to count it
 * under the right reason, and such records are rare.
 */
import { FIRST_NAME_ONLY } from './splitter';

const KEY = Buffer.from('"eventName"');
const COMPACT_KEY = Buffer.from('ventName":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * The fast path, when framing already found the `"eventName"` strings: with
 * exactly one, read the value after it; otherwise fall back to the search.
 */
export function mightMatterAt(buf: Buffer, start: number, end: number, nameAt: number, count: number, names: ReadonlySet<string>): boolean {
  if (count === 0) return true;
  if (count === FIRST_NAME_ONLY) {
    // One element of a compact CloudTrail log file: its first eventName is
    // its own, written `"eventName":"Name"`. Read in place: one native search
    // and a byte comparison, no string, on every record of every file.
    // The native search skips by the needle's first byte: 'v' is rare in
    // JSON where '"' is everywhere, so look for `ventName":"` and check the `"e`.
    let at = buf.indexOf(COMPACT_KEY, start + 2);
    while (at >= 0 && at < end && (buf[at - 1] !== 0x65 || buf[at - 2] !== QUOTE)) at = buf.indexOf(COMPACT_KEY, at + 1);
    if (at < 0 || at >= end) return mightMatter(buf, start, end, names);
    const from = at + COMPACT_KEY.length;
    let close = from;
    const limit = Math.min(end, from + 128);
    while (close < limit && buf[close] !== QUOTE) {
      if (buf[close] === BACKSLASH) return true;
      close++;
    }
    if (close >= limit) return true;
    return matchesName(buf, from, close, names);
  }
  if (count !== 1) return mightMatter(buf, start, end, names);
  let j = nameAt + KEY.length;
  while (isSpace(buf[j])) j++;
  if (buf[j] !== COLON) return mightMatter(buf, start, end, names);
  j++;
  while (isSpace(buf[j])) j++;
  if (buf[j] !== QUOTE) return true;
  const close = buf.indexOf(QUOTE, j + 1);
  if (close < 0 || close >= end) return true;
  for (let k = j + 1; k < close; k++) if (buf[k] === BACKSLASH) return true;
  return matchesName(buf, j + 1, close, names);
}

/** The names as bytes, grouped by length: compared in place, no string per record. */
const BY_LENGTH = new WeakMap<ReadonlySet<string>, Map<number, Buffer[]>>();

function matchesName(buf: Buffer, start: number, end: number, names: ReadonlySet<string>): boolean {
  let byLength = BY_LENGTH.get(names);
  if (!byLength) {
    byLength = new Map();
    for (const n of names) {
      const b = Buffer.from(n, 'latin1');
      byLength.set(b.length, [...(byLength.get(b.length) ?? []), b]);
    }
    BY_LENGTH.set(names, byLength);
  }
  const candidates = byLength.get(end - start);
  if (!candidates) return false;
  // Names are short: a plain loop beats a native call per comparison.
  next: for (const c of candidates) {
    for (let i = 0; i < c.length; i++) if (buf[start + i] !== c[i]) continue next;
    return true;
  }
  return false;
}

export function mightMatter(buf: Buffer, start: number, end: number, names: ReadonlySet<string>): boolean {
  const view = buf.subarray(start, end);
  let i = view.indexOf(KEY);
  if (i < 0) return true;
  while (i >= 0) {
    let j = i + KEY.length;
    while (isSpace(view[j])) j++;
    if (view[j] === COLON) {
      j++;
      while (isSpace(view[j])) j++;
      if (view[j] !== QUOTE) return true;
      const close = view.indexOf(QUOTE, j + 1);
      if (close < 0) return true;
      const back = view.indexOf(BACKSLASH, j + 1);
      if (back >= 0 && back < close) return true;
      if (names.has(view.toString('latin1', j + 1, close))) return true;
      i = view.indexOf(KEY, close + 1);
    } else {
      // "eventName" as a value (e.g. a lookup attribute), not a key.
      i = view.indexOf(KEY, j);
    }
  }
  return false;
}
