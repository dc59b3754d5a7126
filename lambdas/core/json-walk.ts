/**
 * Helpers for the EC2 query-API shapes CloudTrail records: lists come as
 * `{items: [...]}`, `{item: ...}`, `[...]` or a lone object, and keys change
 * case between APIs (`instanceType`, `InstanceType`).
 */

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The elements of an EC2 list in any of its recorded forms. */
export function items(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (isObject(v)) {
    if ('items' in v) return items(v.items);
    if ('item' in v) return items(v.item);
    return [v];
  }
  return [v];
}

/** A key's value, ignoring case. */
export function get(obj: unknown, key: string): unknown {
  if (!isObject(obj)) return undefined;
  if (key in obj) return obj[key];
  // Usually the key is simply absent: compare lengths before lower-casing.
  let lower: string | undefined;
  for (const k in obj) {
    if (k.length === key.length && k.toLowerCase() === (lower ??= key.toLowerCase())) return obj[k];
  }
  return undefined;
}

/**
 * Some records wrap scalars: `{"instanceType": {"value": "p2.xlarge"}}`, and
 * the XML-ish APIs (CreateFleet, DeleteFleets) write `{"content": "fleet-1", "tag": 1}`.
 */
export function scalar(v: unknown): unknown {
  if (isObject(v)) {
    if ('value' in v) return v.value;
    if ('content' in v) return v.content;
  }
  return v;
}

export function getString(obj: unknown, key: string): string | undefined {
  const v = scalar(get(obj, key));
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function getNumber(obj: unknown, key: string): number | undefined {
  const raw = scalar(get(obj, key));
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function getBoolean(obj: unknown, key: string): boolean | undefined {
  const raw = scalar(get(obj, key));
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return undefined;
}

/**
 * Every value under a key matching `keyName` (case-insensitive), anywhere in
 * the tree, depth-first in document order. Bounded so a hostile record
 * cannot make it walk forever.
 */
export function collect(root: unknown, keyName: string, maxDepth = 12): unknown[] {
  let index = SINGLE_KEY_INDEXES.get(keyName);
  if (!index) {
    // Key names are the code's own constants: a handful, so the cache stays small.
    if (SINGLE_KEY_INDEXES.size >= 256) SINGLE_KEY_INDEXES.clear();
    SINGLE_KEY_INDEXES.set(keyName, (index = buildIndex([keyName])));
  }
  return walkFor(root, index, maxDepth).get(keyName.toLowerCase()) ?? [];
}

/** How a walk recognises its keys: each spelling seen maps to the lower-cased key, plus a bit per key length. */
interface KeyIndex {
  readonly canonical: Map<string, string>;
  readonly lengths: number;
}

/** Indexes of the key lists facts are read with (module constants): built once, not per record. */
const INDEXES = new WeakMap<readonly string[], KeyIndex>();
/** `collect`'s one-key indexes, by key name. */
const SINGLE_KEY_INDEXES = new Map<string, KeyIndex>();

function buildIndex(keyNames: readonly string[]): KeyIndex {
  const canonical = new Map<string, string>();
  let lengths = 0;
  for (const k of keyNames) {
    canonical.set(k, k.toLowerCase());
    canonical.set(k.toLowerCase(), k.toLowerCase());
    lengths |= 1 << Math.min(k.length, 31);
  }
  return { canonical, lengths };
}

/**
 * One walk for several keys: `collect` for each key name (lower-cased in the
 * result, absent when nothing was found). Launch records carry large responses; walking them once instead
 * of once per key is what keeps extracting facts cheap.
 */
export function collectMany(root: unknown, keyNames: readonly string[], maxDepth = 12): Map<string, unknown[]> {
  let index = INDEXES.get(keyNames);
  if (!index) INDEXES.set(keyNames, (index = buildIndex(keyNames)));
  return walkFor(root, index, maxDepth);
}

/** The walk; a key with no values has no entry in the result. */
function walkFor(root: unknown, index: KeyIndex, maxDepth: number): Map<string, unknown[]> {
  const found = new Map<string, unknown[]>();
  walkInto(root, 0, index, maxDepth, found);
  return found;
}

function walkInto(v: unknown, depth: number, index: KeyIndex, maxDepth: number, found: Map<string, unknown[]>): void {
  if (depth > maxDepth || typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) walkInto(v[i], depth + 1, index, maxDepth, found);
    return;
  }
  const o = v as Record<string, unknown>;
  const lengths = index.lengths;
  for (const k in o) {
    const x = o[k];
    // A bit per key length rules out almost every key at once; the usual
    // spellings are found without lower-casing.
    if ((lengths >>> Math.min(k.length, 31)) & 1) {
      const c = index.canonical.get(k) ?? index.canonical.get(k.toLowerCase());
      if (c !== undefined) {
        const list = found.get(c);
        if (list) list.push(x);
        else found.set(c, [x]);
      }
    }
    if (typeof x === 'object' && x !== null) walkInto(x, depth + 1, index, maxDepth, found);
  }
}

/** Distinct non-empty strings among values (unwrapping `{value}` and EC2 lists). */
export function strings(values: readonly unknown[]): string[] {
  const out = new Set<string>();
  for (let i = 0; i < values.length; i++) addStrings(values[i], out);
  return [...out];
}

function addStrings(v: unknown, out: Set<string>): void {
  if (typeof v === 'string') {
    if (v.length > 0) out.add(v);
  } else if (isObject(v) && ('value' in v || 'content' in v)) addStrings(scalar(v), out);
  else if (Array.isArray(v) || (isObject(v) && ('items' in v || 'item' in v))) {
    const list = items(v);
    for (let i = 0; i < list.length; i++) addStrings(list[i], out);
  }
}

/**
 * Calls `visit` on every string leaf of a tree, depth-first in document
 * order, at most `limit` of them (bounded, for threat-intel lookups).
 */
export function eachStringLeaf(root: unknown, visit: (s: string) => void, limit = 2000, maxDepth = 12): void {
  leavesInto(root, 0, visit, { left: limit }, maxDepth);
}

function leavesInto(v: unknown, depth: number, visit: (s: string) => void, budget: { left: number }, maxDepth: number): void {
  if (budget.left <= 0 || depth > maxDepth) return;
  if (typeof v === 'string') {
    budget.left--;
    visit(v);
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) leavesInto(v[i], depth + 1, visit, budget, maxDepth);
  } else if (isObject(v)) {
    for (const k in v) leavesInto(v[k], depth + 1, visit, budget, maxDepth);
  }
}
