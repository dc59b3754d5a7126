/**
 * Threat-intel feeds: IP addresses, CIDR blocks and domains, one per line.
 * Parsing is pure (text in, entries and line errors out) so the CLI, the
 * Lambdas and the tests load feeds the same way; reading the files is the
 * caller's job.
 *
 * Matching is CIDR-aware in both directions: an address inside a listed
 * block matches, and a security-group rule whose CIDR overlaps a listed
 * block matches. Domains match themselves and their subdomains.
 */

export interface FeedLineError {
  readonly line: number;
  readonly text: string;
  readonly expected: string;
}

export interface IpFeedEntry {
  readonly text: string;
  readonly feed: string;
  readonly line: number;
}

interface Range<T> {
  lo: T;
  hi: T;
  /** Largest `hi` among this range and every range before it (after sorting). */
  maxHi: T;
  entry: IpFeedEntry;
}

type Parsed = { v: 4; n: number } | { v: 6; n: bigint };
type ParsedCidr = { v: 4; lo: number; hi: number } | { v: 6; lo: bigint; hi: bigint };

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function parseIpv6(text: string): bigint | undefined {
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(s) || s.includes(':::')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  // A dotted IPv4 tail is only allowed as the very last group (::ffff:1.2.3.4).
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let n = 0n;
  for (const g of all) n = (n << 16n) | BigInt(g);
  return n;
}

const V4_MAPPED = 0xffff00000000n;

export function parseIp(text: string): Parsed | undefined {
  const t = text.trim();
  const v4 = parseIpv4(t);
  if (v4 !== undefined) return { v: 4, n: v4 };
  const v6 = parseIpv6(t);
  if (v6 === undefined) return undefined;
  // ::ffff:1.2.3.4 is the IPv4 address.
  if (v6 >> 32n === V4_MAPPED >> 32n) return { v: 4, n: Number(v6 & 0xffffffffn) };
  return { v: 6, n: v6 };
}

export function parseCidr(text: string): ParsedCidr | undefined {
  const t = text.trim();
  const slash = t.indexOf('/');
  const ip = parseIp(slash < 0 ? t : t.slice(0, slash));
  if (!ip) return undefined;
  const bits = ip.v === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    // A v4-mapped v6 CIDR (::ffff:1.2.3.0/120) keeps its v6 prefix length.
    if (ip.v === 4 && t.includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > bits) return undefined;
  }
  if (ip.v === 4) {
    const size = 2 ** (32 - prefix);
    const lo = Math.floor(ip.n / size) * size;
    return { v: 4, lo, hi: lo + size - 1 };
  }
  const host = (1n << BigInt(128 - prefix)) - 1n;
  const lo = ip.n & ~host;
  return { v: 6, lo, hi: lo | host };
}

/** Strips comments (`#`, `;`) and hosts-file prefixes; returns the token or undefined for blank lines. */
function feedToken(raw: string): string | undefined {
  const cut = raw.search(/[#;]/);
  const body = (cut >= 0 ? raw.slice(0, cut) : raw).trim();
  if (!body) return undefined;
  const fields = body.split(/\s+/);
  // hosts-file form: "0.0.0.0 evil.example"
  if (fields.length === 2 && (fields[0] === '0.0.0.0' || fields[0] === '127.0.0.1')) return fields[1];
  return fields[0];
}

export class IpSet {
  private readonly v4: Range<number>[] = [];
  private readonly v6: Range<bigint>[] = [];
  private sorted = true;

  get size(): number {
    return this.v4.length + this.v6.length;
  }

  add(cidrText: string, entry: IpFeedEntry): boolean {
    const c = parseCidr(cidrText);
    if (!c) return false;
    if (c.v === 4) this.v4.push({ lo: c.lo, hi: c.hi, maxHi: c.hi, entry });
    else this.v6.push({ lo: c.lo, hi: c.hi, maxHi: c.hi, entry });
    this.sorted = false;
    return true;
  }

  private sort(): void {
    if (this.sorted) return;
    this.v4.sort((a, b) => a.lo - b.lo);
    this.v6.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    runningMax(this.v4);
    runningMax(this.v6);
    this.sorted = true;
  }

  /** The feed entry an address or CIDR overlaps, if any. */
  match(text: string): IpFeedEntry | undefined {
    const c = parseCidr(text);
    if (!c) return undefined;
    this.sort();
    return c.v === 4 ? overlap(this.v4, c.lo, c.hi) : overlap(this.v6, c.lo, c.hi);
  }
}

function runningMax<T extends number | bigint>(ranges: Range<T>[]): void {
  let max: T | undefined;
  for (const r of ranges) {
    max = max === undefined || r.hi > max ? r.hi : max;
    r.maxHi = max;
  }
}

/**
 * Any range intersecting [lo, hi]. Ranges are sorted by `lo` with a running
 * maximum of `hi`: binary-search the last range starting at or before `hi`,
 * then walk left only while some range that far left still reaches `lo`.
 */
function overlap<T extends number | bigint>(ranges: Range<T>[], lo: T, hi: T): IpFeedEntry | undefined {
  let a = 0;
  let b = ranges.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (ranges[m]!.lo <= hi) a = m + 1;
    else b = m;
  }
  for (let i = a - 1; i >= 0 && ranges[i]!.maxHi >= lo; i--) {
    if (ranges[i]!.hi >= lo) return ranges[i]!.entry;
  }
  return undefined;
}

export class DomainSet {
  private readonly entries = new Map<string, IpFeedEntry>();

  get size(): number {
    return this.entries.size;
  }

  add(domain: string, entry: IpFeedEntry): boolean {
    const d = normalizeDomain(domain);
    if (!d) return false;
    this.entries.set(d, entry);
    return true;
  }

  /** The entry for the domain or its closest listed parent. */
  match(name: string): IpFeedEntry | undefined {
    let d = normalizeDomain(name);
    while (d) {
      const hit = this.entries.get(d);
      if (hit) return hit;
      const dot = d.indexOf('.');
      if (dot < 0) return undefined;
      d = d.slice(dot + 1);
    }
    return undefined;
  }
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

export function normalizeDomain(text: string): string | undefined {
  const d = text.trim().toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
  return DOMAIN.test(d) ? d : undefined;
}

export interface ThreatIntel {
  readonly ips: IpSet;
  readonly domains: DomainSet;
  /** Feed names, for the answer "checked against ...". */
  readonly feeds: readonly string[];
}

export function emptyThreatIntel(): ThreatIntel {
  return { ips: new IpSet(), domains: new DomainSet(), feeds: [] };
}

/** Adds a feed's lines; returns the lines that are not what the feed should hold. */
export function addIpFeed(intel: ThreatIntel, feed: string, text: string): FeedLineError[] {
  const errors: FeedLineError[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const token = feedToken(raw);
    if (token === undefined) return;
    if (!intel.ips.add(token, { text: token, feed, line: i + 1 })) {
      errors.push({ line: i + 1, text: raw.trim(), expected: 'an IPv4 or IPv6 address or CIDR block' });
    }
  });
  (intel.feeds as string[]).push(feed);
  return errors;
}

export function addDomainFeed(intel: ThreatIntel, feed: string, text: string): FeedLineError[] {
  const errors: FeedLineError[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const token = feedToken(raw);
    if (token === undefined) return;
    if (!intel.domains.add(token, { text: token, feed, line: i + 1 })) {
      errors.push({ line: i + 1, text: raw.trim(), expected: 'a domain name such as evil.example' });
    }
  });
  (intel.feeds as string[]).push(feed);
  return errors;
}

const IPV4_IN_TEXT = /\b(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?\b/g;
const DOMAIN_IN_TEXT = /\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\b/gi;

/** IPv4 literals (and CIDRs) inside free text such as tag values or descriptions. */
export function ipsInText(text: string): string[] {
  return text.match(IPV4_IN_TEXT) ?? [];
}

export function domainsInText(text: string): string[] {
  return text.match(DOMAIN_IN_TEXT) ?? [];
}
