import { IndicatorId } from '../../../lambdas/core/constants';
import { trail } from '../../support/fixtures';
import { context, group } from '../../support/groups';
import { table } from '../../support/indicator-table';

const QUIET = 'no world-open ingress beyond the allowed ports';

export default table(IndicatorId.SECURITY_GROUP_OPENED, [
  {
    name: 'SSH open to 0.0.0.0/0',
    group: () => group([trail('authorize-sg-ingress-world-22.json', { id: 'ssh' })]),
    expected: { status: 'fired', summary: 'sg-0d1e2f3a4b5c6d7e8: tcp/22 from 0.0.0.0/0', eventIds: ['ssh'], details: { securityGroups: ['sg-0d1e2f3a4b5c6d7e8'] } },
  },
  {
    name: 'a /0 written with a non-zero address (flat legacy form) is the whole internet',
    group: () => group([trail('authorize-sg-ingress-odd-zero.json', { id: 'rdp' })]),
    expected: { status: 'fired', summary: 'sg-0d1e2f3a4b5c6d7e8: tcp/3389 from 203.0.113.99/0', eventIds: ['rdp'] },
  },
  {
    name: 'every protocol open to ::/0',
    group: () => group([trail('authorize-sg-ingress-all-ipv6.json', { id: 'all' })]),
    expected: { status: 'fired', summary: 'sg-0a4b5c6d7e8f9a0b1: all traffic from ::/0', eventIds: ['all'], details: { securityGroups: ['sg-0a4b5c6d7e8f9a0b1'] } },
  },
  {
    name: 'a range that includes the web ports and everything between them',
    group: () =>
      group([
        trail('authorize-sg-ingress-443.json', {
          id: 'range',
          request: { ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 80, toPort: 443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } },
        }),
      ]),
    expected: { status: 'fired', summary: 'sg-0e2f3a4b5c6d7e8f9: tcp/80-443 from 0.0.0.0/0', eventIds: ['range'] },
  },
  {
    name: 'two groups opened: both cited, each once',
    group: () => group([trail('authorize-sg-ingress-world-22.json', { id: 'ssh', at: 0 }), trail('authorize-sg-ingress-443.json', { id: 'web', at: 1 }), trail('authorize-sg-ingress-all-ipv6.json', { id: 'all', at: 2 })]),
    expected: {
      status: 'fired',
      summary: 'sg-0d1e2f3a4b5c6d7e8: tcp/22 from 0.0.0.0/0, sg-0a4b5c6d7e8f9a0b1: all traffic from ::/0',
      eventIds: ['ssh', 'all'],
      details: { securityGroups: ['sg-0d1e2f3a4b5c6d7e8', 'sg-0a4b5c6d7e8f9a0b1'] },
    },
  },
  {
    name: 'HTTPS open to the world (IPv4 and IPv6) is allowed',
    group: () => group([trail('authorize-sg-ingress-443.json')]),
    expected: { status: 'quiet', note: QUIET },
  },
  {
    name: 'SSH from a private range',
    group: () => group([trail('authorize-sg-ingress-private.json')]),
    expected: { status: 'quiet', note: QUIET },
  },
  {
    name: 'one call: 443 from the world and 22 from a private range (each rule keeps its own CIDRs)',
    group: () => group([trail('authorize-sg-ingress-mixed.json')]),
    expected: { status: 'quiet', note: QUIET },
  },
  {
    name: 'a world-open rule that failed to apply',
    group: () => group([trail('authorize-sg-ingress-world-22.json', { error: 'Client.InvalidPermission.Duplicate' })]),
    expected: { status: 'quiet', note: QUIET },
  },
  {
    name: 'SSH allowed to the world by configuration',
    group: () => group([trail('authorize-sg-ingress-world-22.json')]),
    ctx: () => context({ securityGroups: { worldOpenAllowedPorts: [22, 80, 443] } }),
    expected: { status: 'quiet', note: QUIET },
  },
  {
    name: 'no ingress rules added',
    group: () => group([trail('run-instances-success.json')]),
    expected: { status: 'not-applicable', reason: 'no ingress rules added' },
  },
  {
    name: 'key pairs and addresses only',
    group: () => group([trail('create-key-pair.json', { at: 0 }), trail('allocate-address.json', { at: 1 })]),
    expected: { status: 'not-applicable', reason: 'no ingress rules added' },
  },
]);
