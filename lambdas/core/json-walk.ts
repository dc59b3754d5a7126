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
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
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
  return walkFor(root, buildIndex([keyName]), maxDepth).get(keyName.toLowerCase()) ?? [];
}

/** How a walk recognises its keys: each spelling seen maps to the lower-cased key, plus a bit per key length. */
interface KeyIndex {
  readonly canonical: Map<string, string>;
  readonly lengths: number;
}

/** Indexes of the key lists facts are read with (module constants): built once, not per record. */
const INDEXES = new WeakMap<readonly string[], KeyIndex>();

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
function walkFor(root: unknown, { canonical, lengths }: KeyIndex, maxDepth: number): Map<string, unknown[]> {
  const found = new Map<string, unknown[]>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > maxDepth || typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      // A bit per key length rules out almost every key at once; the usual
      // spellings are found without lower-casing.
      if ((lengths >>> Math.min(k.length, 31)) & 1) {
        const c = canonical.get(k) ?? canonical.get(k.toLowerCase());
        if (c !== undefined) {
          const list = found.get(c);
          if (list) list.push(x);
          else found.set(c, [x]);
        }
      }
      if (typeof x === 'object' && x !== null) walk(x, depth + 1);
    }
  };
  walk(root, 0);
  return found;
}

/** Distinct non-empty strings among values (unwrapping `{value}` and EC2 lists). */
export function strings(values: unknown[]): string[] {
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v.length > 0) out.add(v);
    else if (isObject(v) && ('value' in v || 'content' in v)) add(scalar(v));
    else if (Array.isArray(v) || (isObject(v) && ('items' in v || 'item' in v))) for (const x of items(v)) add(x);
  };
  for (const v of values) add(v);
  return [...out];
}

/** Every string leaf of a tree (bounded), for threat-intel lookups. */
export function stringLeaves(root: unknown, limit = 2000, maxDepth = 12): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (out.length >= limit || depth > maxDepth) return;
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (isObject(v)) for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(root, 0);
  return out;
}
