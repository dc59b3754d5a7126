import { IndicatorId } from '../../../lambdas/core/constants';
import { trail } from '../../support/fixtures';
import { group } from '../../support/groups';
import { table } from '../../support/indicator-table';

export default table(IndicatorId.NEW_KEY_PAIR, [
  {
    name: 'CreateKeyPair',
    group: () => group([trail('create-key-pair.json', { id: 'key' })]),
    expected: { status: 'fired', summary: 'ops-2025', eventIds: ['key'], details: { keyPairs: ['ops-2025'], usedByLaunch: [] } },
  },
  {
    name: 'a created key pair then used by a launch in the same activity',
    group: () => group([trail('create-key-pair.json', { id: 'key', at: 0 }), trail('run-instances-success.json', { id: 'run', at: 2 })]),
    expected: { status: 'fired', summary: 'ops-2025; used to launch: ops-2025', eventIds: ['key'], details: { usedByLaunch: ['ops-2025'] } },
  },
  {
    name: 'an imported key used by a spot request',
    group: () =>
      group([
        trail('import-key-pair.json', { id: 'import', at: 0 }),
        trail('request-spot-instances.json', {
          id: 'spot',
          at: 1,
          request: { launchSpecification: { imageId: 'ami-0c1f5e2d3b4a59687', instanceType: 'c5.4xlarge', keyName: 'laptop-ed25519' } },
        }),
      ]),
    expected: { status: 'fired', summary: 'laptop-ed25519 (1 imported); used to launch: laptop-ed25519', eventIds: ['import'], details: { keyPairs: ['laptop-ed25519'], usedByLaunch: ['laptop-ed25519'] } },
  },
  {
    name: 'one failed and one successful key pair call: only the success is cited',
    group: () => group([trail('create-key-pair.json', { id: 'dup', at: 0, error: 'Client.InvalidKeyPair.Duplicate' }), trail('import-key-pair.json', { id: 'import', at: 1 })]),
    expected: { status: 'fired', summary: 'laptop-ed25519 (1 imported)', eventIds: ['import'] },
  },
  {
    name: 'a key pair that already exists',
    group: () => group([trail('create-key-pair.json', { error: 'Client.InvalidKeyPair.Duplicate' })]),
    expected: { status: 'quiet', note: 'key pair calls failed' },
  },
  {
    name: 'a denied import',
    group: () => group([trail('import-key-pair.json', { error: 'Client.UnauthorizedOperation' })]),
    expected: { status: 'quiet', note: 'key pair calls failed' },
  },
  {
    name: 'a launch with an existing key pair',
    group: () => group([trail('run-instances-success.json')]),
    expected: { status: 'not-applicable', reason: 'no key pair calls' },
  },
  {
    name: 'security groups and addresses only',
    group: () => group([trail('authorize-sg-ingress-world-22.json', { at: 0 }), trail('allocate-address.json', { at: 1 })]),
    expected: { status: 'not-applicable', reason: 'no key pair calls' },
  },
]);
