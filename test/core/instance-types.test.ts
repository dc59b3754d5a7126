import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { familyMatches, globToRegExp, looksLikeInstanceType, parseInstanceType } from '../../lambdas/core/instance-types';
import { DEFAULT_SETTINGS } from '../../lambdas/core/settings';

describe('parseInstanceType: vCPU estimates', () => {
  it.each([
    ['t2.micro', 't2', 'micro', 1],
    ['t2.nano', 't2', 'nano', 1],
    ['t2.small', 't2', 'small', 1],
    ['t2.medium', 't2', 'medium', 2],
    ['t3.micro', 't3', 'micro', 2],
    ['t4g.nano', 't4g', 'nano', 2],
    ['a1.medium', 'a1', 'medium', 1],
    ['m6g.medium', 'm6g', 'medium', 1],
    ['c7gn.medium', 'c7gn', 'medium', 1],
    ['m5.large', 'm5', 'large', 2],
    ['m5.xlarge', 'm5', 'xlarge', 4],
    ['c5.2xlarge', 'c5', '2xlarge', 8],
    ['m5.16xlarge', 'm5', '16xlarge', 64],
    ['c5.24xlarge', 'c5', '24xlarge', 96],
    ['p3.16xlarge', 'p3', '16xlarge', 64],
    ['p4d.24xlarge', 'p4d', '24xlarge', 96],
    ['p5.48xlarge', 'p5', '48xlarge', 192],
    ['g4dn.xlarge', 'g4dn', 'xlarge', 4],
    ['inf2.48xlarge', 'inf2', '48xlarge', 192],
    ['m7i-flex.large', 'm7i-flex', 'large', 2],
    ['u-6tb1.112xlarge', 'u-6tb1', '112xlarge', 448],
    ['m5.metal', 'm5', 'metal', 96],
    ['i3.metal', 'i3', 'metal', 72],
    ['c6i.metal', 'c6i', 'metal', 128],
    ['m7g.metal', 'm7g', 'metal', 64],
    ['u-6tb1.metal', 'u-6tb1', 'metal', 448],
    ['z9z.metal', 'z9z', 'metal', 96],
    ['m7i.metal-24xl', 'm7i', 'metal-24xl', 96],
    ['m7i.metal-48xl', 'm7i', 'metal-48xl', 192],
    ['P3.2XLARGE', 'p3', '2xlarge', 8],
    [' m5.xlarge ', 'm5', 'xlarge', 4],
  ] as const)('%s: family %s, size %s, %i vCPUs', (type, family, size, vcpus) => {
    expect(parseInstanceType(type)).toEqual({ type: type.trim().toLowerCase(), family, size, vcpus });
  });

  it.each(['xlarge', 'm5.', '.large', '5m.large', 'm5', '', 'lightsail:medium_3_0', 'm5 .large'])('%j is not an instance type', (type) => {
    expect(parseInstanceType(type)).toBeUndefined();
  });

  it('Nxlarge is always 4N vCPUs (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('m5', 'c6i', 'r7g', 'p4d', 'x2iedn'), fc.integer({ min: 2, max: 224 }), (family, n) => {
        expect(parseInstanceType(`${family}.${n}xlarge`)?.vcpus).toBe(4 * n);
      }),
    );
  });
});

describe('familyMatches with the default accelerated families', () => {
  const families = DEFAULT_SETTINGS.instanceTypes.acceleratedFamilies;
  it.each([
    ['p2', 'p*'],
    ['p3dn', 'p*'],
    ['p4d', 'p*'],
    ['p5e', 'p*'],
    ['g4dn', 'g*'],
    ['g5', 'g*'],
    ['g6e', 'g*'],
    ['inf1', 'inf*'],
    ['inf2', 'inf*'],
    ['trn1n', 'trn*'],
    ['dl1', 'dl*'],
    ['f1', 'f*'],
    ['vt1', 'vt*'],
    ['m5', undefined],
    ['m6g', undefined],
    ['c7gn', undefined],
    ['t3', undefined],
    ['i4i', undefined],
    ['hpc7g', undefined],
  ] as const)('%s -> %s', (family, pattern) => {
    expect(familyMatches(family, families)).toBe(pattern);
  });

  it('patterns are case-insensitive on the pattern side and support ?', () => {
    expect(familyMatches('p3', ['P*'])).toBe('P*');
    expect(familyMatches('m5', ['m?'])).toBe('m?');
    expect(familyMatches('m5d', ['m?'])).toBeUndefined();
  });
});

describe('globToRegExp', () => {
  it.each([
    ['arn:aws:iam::111122223333:role/ci-*', 'arn:aws:iam::111122223333:role/ci-deployer', true],
    ['arn:aws:iam::111122223333:role/ci-*', 'arn:aws:iam::111122223333:role/ops-admin', false],
    ['arn:aws:iam::111122223333:role/ci-deployer', 'arn:aws:iam::111122223333:role/ci-deployer-shadow', false],
    ['arn:aws:iam::111122223333:role/ci-deployer', 'xarn:aws:iam::111122223333:role/ci-deployer', false],
    ['arn:aws:iam::*:role/admin', 'arn:aws:iam::444455556666:role/admin', true],
    ['a.b', 'axb', false],
    ['a+b', 'a+b', true],
    ['(x)', '(x)', true],
    ['user/?', 'user/a', true],
    ['user/?', 'user/ab', false],
  ] as const)('%s vs %s -> %s', (glob, text, result) => {
    expect(globToRegExp(glob).test(text)).toBe(result);
  });
});

describe('looksLikeInstanceType', () => {
  it.each(['m5.large', 'p4d.24xlarge', 'T3.MICRO', 'mac2-m2pro.metal', 'u-6tb1.112xlarge', 'c7i.metal-48xl', 'inf2.xlarge'])('%s is an instance type', (s) => {
    expect(looksLikeInstanceType(s)).toBe(true);
  });
  it.each(['example.com', 'c2.bad-domain.example', 'mail.large', 'www.example.org', 'large.m5', 'm5.huge', 'ec2.amazonaws.com'])('%s is not', (s) => {
    expect(looksLikeInstanceType(s)).toBe(false);
  });
});
