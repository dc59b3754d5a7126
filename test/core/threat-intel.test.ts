import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DomainSet,
  IpSet,
  addDomainFeed,
  addIpFeed,
  domainsInText,
  emptyThreatIntel,
  ipsInText,
  normalizeDomain,
  parseCidr,
  parseIp,
  parseIpv4,
  parseIpv6,
} from '../../lambdas/core/threat-intel';

const IP_EXPECTED = 'an IPv4 or IPv6 address or CIDR block';
const DOMAIN_EXPECTED = 'a domain name such as evil.example';

describe('addIpFeed', () => {
  const FEED = [
    '# abuse feed, refreshed daily',
    '',
    '198.51.100.0/24 ; proxy pool',
    '203.0.113.200   # a single host',
    '2001:db8:bad::/48',
    'not-an-address',
    '10.0.0.0/33',
    '300.1.2.3',
    '0.0.0.0 evil.example',
    '::ffff:192.0.2.0/120',
    '   ',
    '# end',
  ];

  it.each([
    ['LF', FEED.join('\n')],
    ['CRLF', FEED.join('\r\n')],
  ])('keeps good lines, skips comments and blanks, reports bad lines by number (%s)', (_eol, text) => {
    const intel = emptyThreatIntel();
    const errors = addIpFeed(intel, 'abuse', text);
    expect(errors).toEqual([
      { line: 6, text: 'not-an-address', expected: IP_EXPECTED },
      { line: 7, text: '10.0.0.0/33', expected: IP_EXPECTED },
      { line: 8, text: '300.1.2.3', expected: IP_EXPECTED },
      { line: 9, text: '0.0.0.0 evil.example', expected: IP_EXPECTED },
    ]);
    expect(intel.ips.size).toBe(4);
    expect(intel.feeds).toEqual(['abuse']);
    expect(intel.ips.match('198.51.100.9')).toEqual({ text: '198.51.100.0/24', feed: 'abuse', line: 3 });
    expect(intel.ips.match('203.0.113.200')).toEqual({ text: '203.0.113.200', feed: 'abuse', line: 4 });
    expect(intel.ips.match('192.0.2.77')).toEqual({ text: '::ffff:192.0.2.0/120', feed: 'abuse', line: 10 });
  });

  it('names every feed, even one whose lines were all bad', () => {
    const intel = emptyThreatIntel();
    addIpFeed(intel, 'first', '198.51.100.1');
    expect(addIpFeed(intel, 'second', 'junk')).toEqual([{ line: 1, text: 'junk', expected: IP_EXPECTED }]);
    expect(intel.feeds).toEqual(['first', 'second']);
  });
});

describe('addDomainFeed', () => {
  const FEED = [
    '# c2 and mining pools',
    '0.0.0.0 pool.evil-mining.example',
    '127.0.0.1 tracker.bad.example   # hosts-file form',
    '*.wild.example',
    'Trailing.Dot.Example.',
    'c2.bad.example',
    'http://phish.example/login',
    'single-label',
    '203.0.113.9',
  ].join('\n');

  it('reads plain and hosts-file lines, reports bad lines by number', () => {
    const intel = emptyThreatIntel();
    expect(addDomainFeed(intel, 'c2', FEED)).toEqual([
      { line: 7, text: 'http://phish.example/login', expected: DOMAIN_EXPECTED },
      { line: 8, text: 'single-label', expected: DOMAIN_EXPECTED },
      { line: 9, text: '203.0.113.9', expected: DOMAIN_EXPECTED },
    ]);
    expect(intel.domains.size).toBe(5);
  });

  it.each([
    ['pool.evil-mining.example', 2],
    ['eu1.pool.evil-mining.example', 2],
    ['a.b.c.pool.evil-mining.example', 2],
    ['TRACKER.bad.example', 3],
    ['x.wild.example', 4],
    ['trailing.dot.example', 5],
    ['c2.bad.example.', 6],
    ['evil-mining.example', undefined],
    ['notc2.bad.example', undefined],
    ['bad.example', undefined],
    ['pool.evil-mining.example.com', undefined],
    ['phish.example', undefined],
  ] as const)('%s -> line %s', (name, line) => {
    const intel = emptyThreatIntel();
    addDomainFeed(intel, 'c2', FEED);
    expect(intel.domains.match(name)?.line).toBe(line);
  });
});

describe('parseIpv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['1.2.3.4', 0x01020304],
    ['255.255.255.255', 0xffffffff],
    ['198.51.100.7', 0xc6336407],
    ['256.1.1.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    ['1.2.3.-4', undefined],
    ['1.2.3.4/24', undefined],
    ['1.2.3.1234', undefined],
    ['a.b.c.d', undefined],
    ['', undefined],
  ] as const)('%s -> %s', (text, n) => {
    expect(parseIpv4(text)).toBe(n);
  });
});

describe('parseIpv6', () => {
  it.each([
    ['::', 0n],
    ['::1', 1n],
    ['2001:db8::', 0x20010db8n << 96n],
    ['2001:DB8::1', (0x20010db8n << 96n) | 1n],
    ['1:2:3:4:5:6:7:8', 0x00010002000300040005000600070008n],
    ['1:2:3:4:5:6:7::', 0x00010002000300040005000600070000n],
    ['::ffff:192.0.2.1', 0xffffc0000201n],
    ['1:2:3:4:5:6:1.2.3.4', 0x00010002000300040005000601020304n],
    ['fe80::1%eth0', (0xfe80n << 112n) | 1n],
    ['1::2::3', undefined],
    [':::', undefined],
    ['12345::', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1:2:3:4:5:6:7:8::', undefined],
    ['1:2:3:4:5:6:7', undefined],
    [':1:2:3:4:5:6:7', undefined],
    ['g::1', undefined],
    ['1:2:3:4:5:6:7:1.2.3.4', undefined],
    ['::1.2.3.256', undefined],
    ['1.2.3.4::', undefined],
  ] as const)('%s -> %s', (text, n) => {
    expect(parseIpv6(text)).toBe(n);
  });
});

describe('parseIp', () => {
  it.each([
    [' 198.51.100.7 ', { v: 4, n: 0xc6336407 }],
    ['::ffff:198.51.100.7', { v: 4, n: 0xc6336407 }],
    ['::FFFF:c633:6407', { v: 4, n: 0xc6336407 }],
    ['2001:db8::1', { v: 6, n: (0x20010db8n << 96n) | 1n }],
    ['::1', { v: 6, n: 1n }],
    ['localhost', undefined],
  ] as const)('%s', (text, parsed) => {
    expect(parseIp(text)).toEqual(parsed);
  });
});

describe('parseCidr', () => {
  const V4_ALL = 0xffffffff;
  const V6_ALL = (1n << 128n) - 1n;
  it.each([
    ['198.51.100.7/24', { v: 4, lo: 0xc6336400, hi: 0xc63364ff }],
    ['198.51.100.7', { v: 4, lo: 0xc6336407, hi: 0xc6336407 }],
    ['10.0.0.0/8', { v: 4, lo: 0x0a000000, hi: 0x0affffff }],
    ['0.0.0.0/0', { v: 4, lo: 0, hi: V4_ALL }],
    ['208.236.235.254/0', { v: 4, lo: 0, hi: V4_ALL }],
    ['203.0.113.9/32', { v: 4, lo: 0xcb007109, hi: 0xcb007109 }],
    ['::ffff:198.51.100.0/120', { v: 4, lo: 0xc6336400, hi: 0xc63364ff }],
    ['2001:db8::/32', { v: 6, lo: 0x20010db8n << 96n, hi: (0x20010db8n << 96n) | ((1n << 96n) - 1n) }],
    ['::/0', { v: 6, lo: 0n, hi: V6_ALL }],
    ['2001:db8::1/128', { v: 6, lo: (0x20010db8n << 96n) | 1n, hi: (0x20010db8n << 96n) | 1n }],
    ['10.0.0.0/33', undefined],
    ['10.0.0.0/', undefined],
    ['10.0.0.0/a', undefined],
    ['10.0.0.0/-1', undefined],
    ['10.0.0.0/8/8', undefined],
    ['2001:db8::/129', undefined],
    ['evil.example/24', undefined],
  ] as const)('%s', (text, parsed) => {
    expect(parseCidr(text)).toEqual(parsed);
  });
});

describe('IpSet', () => {
  const set = (): IpSet => {
    const s = new IpSet();
    const add = (cidr: string, line: number) => expect(s.add(cidr, { text: cidr, feed: 'f', line })).toBe(true);
    add('198.51.100.0/24', 1);
    add('203.0.113.200', 2);
    add('2001:db8:bad::/48', 3);
    // A wide block followed (once sorted) by narrow ones that end before the query: the search must still find it.
    add('10.0.0.0/8', 4);
    add('10.1.2.0/24', 5);
    add('10.200.0.0/16', 6);
    return s;
  };

  it('refuses what is not an address or block', () => {
    expect(new IpSet().add('evil.example', { text: 'evil.example', feed: 'f', line: 1 })).toBe(false);
  });

  it.each([
    ['an address inside a listed /24', '198.51.100.23', 1],
    ['the first address of the block', '198.51.100.0', 1],
    ['the last address of the block', '198.51.100.255', 1],
    ['just past the block', '198.51.101.0', undefined],
    ['just before the block', '198.51.99.255', undefined],
    ['a single listed host', '203.0.113.200', 2],
    ['its neighbour', '203.0.113.201', undefined],
    ['a CIDR that contains a listed block', '198.51.0.0/16', 1],
    ['a CIDR inside a listed block', '198.51.100.128/25', 1],
    ['a CIDR next to a listed block', '198.51.101.0/24', undefined],
    ['IPv6 inside a listed /48', '2001:db8:bad:ffff::1', 3],
    ['IPv6 outside it', '2001:db8:bae::1', undefined],
    ['IPv4-mapped IPv6 is the IPv4 address', '::ffff:198.51.100.7', 1],
    ['IPv4-mapped host', '::ffff:203.0.113.200', 2],
    ['an address under a wide block, past narrower later ones', '10.250.0.1', 4],
    ['an address in nested blocks reports either listing that covers it', '10.1.2.3', [4, 5]],
    ['outside every block', '11.0.0.1', undefined],
    ['not an address', 'evil.example', undefined],
  ] as const)('%s: %s', (_name, query, line) => {
    const hit = set().match(query);
    if (typeof line === 'object') expect(line).toContain(hit?.line);
    else expect(hit?.line).toBe(line);
  });

  it('agrees with a brute-force overlap check (property)', () => {
    const cidr = fc.record({ ip: fc.integer({ min: 0, max: 0xffffffff }), prefix: fc.integer({ min: 1, max: 32 }) });
    const range = (c: { ip: number; prefix: number }) => {
      const size = 2 ** (32 - c.prefix);
      const lo = Math.floor(c.ip / size) * size;
      return [lo, lo + size - 1] as const;
    };
    const text = (c: { ip: number; prefix: number }) => `${[24, 16, 8, 0].map((s) => Math.floor(c.ip / 2 ** s) % 256).join('.')}/${c.prefix}`;
    fc.assert(
      fc.property(fc.array(cidr, { maxLength: 30 }), cidr, (listed, query) => {
        const s = new IpSet();
        listed.forEach((c, i) => s.add(text(c), { text: text(c), feed: 'f', line: i + 1 }));
        const [qlo, qhi] = range(query);
        const expected = listed.some((c) => {
          const [lo, hi] = range(c);
          return lo <= qhi && hi >= qlo;
        });
        const hit = s.match(text(query));
        expect(hit !== undefined).toBe(expected);
        if (hit) {
          const [lo, hi] = range(listed[hit.line - 1]!);
          expect(lo <= qhi && hi >= qlo).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('DomainSet and normalizeDomain', () => {
  it.each([
    ['Evil.Example', 'evil.example'],
    ['evil.example.', 'evil.example'],
    ['*.evil.example', 'evil.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['_dmarc.evil.example', '_dmarc.evil.example'],
    ['evil', undefined],
    ['a..b.example', undefined],
    ['-bad.example', undefined],
    ['evil.123', undefined],
    ['http://evil.example', undefined],
  ] as const)('%s -> %s', (text, normal) => {
    expect(normalizeDomain(text)).toBe(normal);
  });

  it('matches the closest listed parent', () => {
    const d = new DomainSet();
    d.add('evil.example', { text: 'evil.example', feed: 'f', line: 1 });
    d.add('c2.evil.example', { text: 'c2.evil.example', feed: 'f', line: 2 });
    expect(d.match('x.c2.evil.example')?.line).toBe(2);
    expect(d.match('y.evil.example')?.line).toBe(1);
    expect(d.match('evil.example.net')).toBeUndefined();
    expect(d.match('not a domain')).toBeUndefined();
  });
});

describe('finding addresses and domains in text', () => {
  it.each([
    ['stratum+tcp://198.51.100.7:3333', ['198.51.100.7']],
    ['allow 10.0.0.0/8 and 192.0.2.1', ['10.0.0.0/8', '192.0.2.1']],
    ['no address here', []],
  ] as const)('ipsInText(%s)', (text, ips) => {
    expect(ipsInText(text)).toEqual(ips);
  });

  it.each([
    ['stratum+tcp://eu1.pool.evil-mining.example:3333', ['eu1.pool.evil-mining.example']],
    ['see https://c2.bad.example/x and mail admin@corp.example', ['c2.bad.example', 'corp.example']],
    ['ami-0c1f5e2d3b4a59687', []],
  ] as const)('domainsInText(%s)', (text, domains) => {
    expect(domainsInText(text)).toEqual(domains);
  });
});
