import { IndicatorId } from '../../../lambdas/core/constants';
import { trail } from '../../support/fixtures';
import { FEEDS, context, group, intelFrom } from '../../support/groups';
import { table } from '../../support/indicator-table';

const FED = () => context({}, intelFrom(FEEDS));
const CHECKED = 'checked against abuse-ips, c2-domains';

export default table(IndicatorId.THREAT_INTEL_MATCH, [
  {
    name: 'the caller IP is inside a listed /24',
    group: () => group([trail('run-instances-success.json', { id: 'run', sourceIp: '198.51.100.23' })]),
    ctx: FED,
    expected: {
      status: 'fired',
      summary: 'caller IP 198.51.100.23 (listed as 198.51.100.0/24 in abuse-ips:2)',
      eventIds: ['run'],
      details: { matches: [{ value: '198.51.100.23', where: 'caller IP', listed: '198.51.100.0/24', feed: 'abuse-ips', line: 2 }] },
    },
  },
  {
    name: 'an allocated public IP is listed',
    group: () => group([trail('allocate-address.json', { id: 'alloc', response: { publicIp: '203.0.113.200' } })]),
    ctx: FED,
    expected: {
      status: 'fired',
      summary: 'public IP 203.0.113.200 (listed as 203.0.113.200 in abuse-ips:3)',
      eventIds: ['alloc'],
      details: { matches: [{ value: '203.0.113.200', where: 'public IP', listed: '203.0.113.200', feed: 'abuse-ips', line: 3 }] },
    },
  },
  {
    name: 'an ingress CIDR that overlaps a listed block',
    group: () =>
      group([
        trail('authorize-sg-ingress-private.json', {
          id: 'sg',
          request: { ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '198.51.0.0/16' }] } }] } },
        }),
      ]),
    ctx: FED,
    expected: { status: 'fired', summary: /^ingress source 198\.51\.0\.0\/16 \(listed as 198\.51\.100\.0\/24 in abuse-ips:2\)/, eventIds: ['sg'] },
  },
  {
    name: 'an IPv6 caller inside a listed /48',
    group: () => group([trail('create-key-pair.json', { id: 'key', sourceIp: '2001:db8:bad:7::15' })]),
    ctx: FED,
    expected: { status: 'fired', summary: 'caller IP 2001:db8:bad:7::15 (listed as 2001:db8:bad::/48 in abuse-ips:4)', eventIds: ['key'] },
  },
  {
    name: 'an IPv4-mapped IPv6 caller is the IPv4 address',
    group: () => group([trail('run-instances-gpu-denied.json', { id: 'denied', sourceIp: '::ffff:198.51.100.9' })]),
    ctx: FED,
    expected: { status: 'fired', summary: 'caller IP ::ffff:198.51.100.9 (listed as 198.51.100.0/24 in abuse-ips:2)', eventIds: ['denied'] },
  },
  {
    name: 'a subdomain of a listed domain in a request parameter (a tag value)',
    group: () =>
      group([
        trail('run-instances-success.json', {
          id: 'run',
          request: { tagSpecificationSet: { items: [{ resourceType: 'instance', tags: [{ key: 'Pool', value: 'stratum+tcp://eu1.pool.evil-mining.example:3333' }] }] } },
        }),
      ]),
    ctx: FED,
    expected: {
      status: 'fired',
      summary: 'request parameter eu1.pool.evil-mining.example (listed as pool.evil-mining.example in c2-domains:2)',
      eventIds: ['run'],
      details: { matches: [{ value: 'eu1.pool.evil-mining.example', where: 'request parameter', listed: 'pool.evil-mining.example', feed: 'c2-domains', line: 2 }] },
    },
  },
  {
    name: 'only the events that hit are cited',
    group: () => group([trail('run-instances-success.json', { id: 'clean', at: 0 }), trail('allocate-address.json', { id: 'hit', at: 1, sourceIp: '198.51.100.250' })]),
    ctx: FED,
    expected: { status: 'fired', summary: 'caller IP 198.51.100.250 (listed as 198.51.100.0/24 in abuse-ips:2)', eventIds: ['hit'] },
  },
  {
    name: 'nothing listed',
    group: () => group([trail('run-instances-success.json', { at: 0 }), trail('allocate-address.json', { at: 1 })]),
    ctx: FED,
    expected: { status: 'quiet', note: CHECKED },
  },
  {
    name: 'just outside the listed /24',
    group: () => group([trail('run-instances-success.json', { sourceIp: '198.51.101.1' })]),
    ctx: FED,
    expected: { status: 'quiet', note: CHECKED },
  },
  {
    name: 'a look-alike domain is not a subdomain',
    group: () =>
      group([
        trail('run-instances-success.json', {
          request: { tagSpecificationSet: { items: [{ resourceType: 'instance', tags: [{ key: 'Docs', value: 'https://pool.evil-mining.example.com/ and notc2.bad.example' }] }] } },
        }),
      ]),
    ctx: FED,
    expected: { status: 'quiet', note: CHECKED },
  },
  {
    name: 'a world-open 443 rule is not a connection to a listed address',
    group: () => group([trail('authorize-sg-ingress-443.json')]),
    ctx: FED,
    expected: { status: 'quiet', note: CHECKED },
  },
  {
    name: 'no feeds configured',
    group: () => group([trail('run-instances-success.json')]),
    expected: { status: 'not-applicable', reason: 'no threat-intel feeds configured' },
  },
  {
    name: 'no feeds configured, whatever the caller IP',
    group: () => group([trail('run-instances-success.json', { sourceIp: '198.51.100.23' })]),
    expected: { status: 'not-applicable', reason: 'no threat-intel feeds configured' },
  },
]);
