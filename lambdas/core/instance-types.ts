/**
 * What an instance type costs us in capacity, without a price list: its
 * family and an estimate of its vCPUs from the size, which is exact for
 * almost every current type (xlarge = 4 vCPUs, Nxlarge = 4N).
 */

export interface InstanceTypeInfo {
  readonly type: string;
  /** `p4d` in `p4d.24xlarge`. */
  readonly family: string;
  readonly size: string;
  readonly vcpus: number;
}

const SMALL_SIZES: Record<string, number> = { nano: 2, micro: 2, small: 2, medium: 2, large: 2, xlarge: 4 };
/** Families whose smallest sizes have a single vCPU. */
const ONE_VCPU: Record<string, ReadonlySet<string>> = {
  nano: new Set(['t1', 't2']),
  micro: new Set(['t1', 't2']),
  small: new Set(['t2', 'm1']),
  medium: new Set(['m1', 'm3', 'a1', 'm6g', 'm6gd', 'c6g', 'c6gd', 'c6gn', 'r6g', 'r6gd', 'm7g', 'm7gd', 'c7g', 'c7gd', 'c7gn', 'r7g', 'r7gd', 'x2gd', 'm8g', 'c8g', 'r8g', 'x8g', 'is4gen', 'im4gn']),
};
/** metal sizes differ per family; these are the common ones, the rest default to 96. */
const METAL_VCPUS: Record<string, number> = {
  i3: 72, m5: 96, m5d: 96, c5: 96, c5d: 96, r5: 96, r5d: 96, z1d: 48, m5zn: 48, c5n: 72, i3en: 96,
  m6i: 128, m6id: 128, c6i: 128, c6id: 128, r6i: 128, r6id: 128, m6g: 64, c6g: 64, r6g: 64,
  m7i: 192, c7i: 192, r7i: 192, m7g: 64, c7g: 64, r7g: 64, g4dn: 96, p4d: 96, x2iezn: 48, u: 448,
};
const DEFAULT_METAL_VCPUS = 96;

/** Parsed types by name: a hunt sees the same few dozen types thousands of times. */
const PARSED = new Map<string, InstanceTypeInfo | undefined>();

const INSTANCE_TYPE_SHAPE = /^[a-z][a-z-]*\d[a-z0-9-]*\.(?:nano|micro|small|medium|large|\d*xlarge|metal(?:-\d+xl)?)$/i;

/**
 * Whether a string is written like an EC2 instance type (`m5.large`,
 * `p4d.24xlarge`, `mac2-m2pro.metal`, `u-6tb1.112xlarge`): a family with a
 * generation digit and a size EC2 uses. None of those sizes is a top-level
 * domain, so such a string is never a host name.
 */
export function looksLikeInstanceType(s: string): boolean {
  return INSTANCE_TYPE_SHAPE.test(s);
}

export function parseInstanceType(type: string): InstanceTypeInfo | undefined {
  if (PARSED.has(type)) return PARSED.get(type);
  // Bounded: names come from untrusted records.
  if (PARSED.size >= 4096) PARSED.clear();
  const info = parseUncached(type);
  PARSED.set(type, info);
  return info;
}

function parseUncached(type: string): InstanceTypeInfo | undefined {
  const t = type.trim().toLowerCase();
  const dot = t.indexOf('.');
  if (dot <= 0 || dot === t.length - 1) return undefined;
  const family = t.slice(0, dot);
  const size = t.slice(dot + 1);
  if (!/^[a-z][a-z0-9-]*$/.test(family)) return undefined;
  return { type: t, family, size, vcpus: estimateVcpus(family, size) };
}

function estimateVcpus(family: string, size: string): number {
  // metal-24xl, metal-48xl: the size is in the name (4 vCPUs per "xl").
  const sized = /^metal-(\d+)xl$/.exec(size);
  if (sized) return Number(sized[1]) * 4;
  if (size === 'metal' || size.startsWith('metal-')) return METAL_VCPUS[family.startsWith('u-') ? 'u' : family] ?? DEFAULT_METAL_VCPUS;
  if (ONE_VCPU[size]?.has(family)) return 1;
  const small = SMALL_SIZES[size];
  if (small !== undefined) return small;
  const m = /^(\d+)xlarge$/.exec(size);
  if (m) return Number(m[1]) * 4;
  return 2;
}

/** Family patterns: `p*` matches p2, p3, p4d, p5 ...; `*` and `?` as in shells. */
/** Answers per pattern list (the settings' lists live as long as the settings) and family. */
const MATCHED = new WeakMap<readonly string[], Map<string, string | undefined>>();

export function familyMatches(family: string, patterns: readonly string[]): string | undefined {
  let answers = MATCHED.get(patterns);
  if (!answers || answers.size >= 4096) MATCHED.set(patterns, (answers = new Map<string, string | undefined>()));
  if (answers.has(family)) return answers.get(family);
  let match: string | undefined;
  for (const pattern of patterns) {
    if (globToRegExp(pattern.toLowerCase()).test(family)) {
      match = pattern;
      break;
    }
  }
  answers.set(family, match);
  return match;
}

const GLOB_CACHE = new Map<string, RegExp>();
export function globToRegExp(glob: string, flags = ''): RegExp {
  const key = `${flags}/${glob}`;
  let re = GLOB_CACHE.get(key);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, flags);
    GLOB_CACHE.set(key, re);
  }
  return re;
}
