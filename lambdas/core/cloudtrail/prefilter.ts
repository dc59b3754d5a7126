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
const KEY = Buffer.from('"eventName"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
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
