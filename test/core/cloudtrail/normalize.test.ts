import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '../../../lambdas/core/cloudtrail/normalize';
import type { CloudTrailRecord } from '../../../lambdas/core/cloudtrail/types';
import { intern } from '../../../lambdas/core/intern';

const record = (over: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({
  eventVersion: '1.09',
  eventTime: '2024-06-01T00:08:33Z',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'RunInstances',
  awsRegion: 'eu-west-1',
  sourceIPAddress: '198.51.100.7',
  userAgent: 'aws-cli/2.15.0',
  eventID: 'e-1',
  recipientAccountId: '111122223333',
  userIdentity: {
    type: 'AssumedRole',
    arn: 'arn:aws:sts::111122223333:assumed-role/ci/build-1',
    accountId: '111122223333',
    accessKeyId: 'ASIAEXAMPLE',
    sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/ci', userName: 'ci' } },
  },
  ...over,
});

const event = (r: CloudTrailRecord) => {
  const n = normalizeRecord(r, 'fallback');
  if (!n.ok) throw new Error(n.message);
  return n.event;
};

describe('normalizeRecord: events of one caller share what they repeat', () => {
  it('gives every event of the same principal the same Actor object', () => {
    const a = event(record({ eventID: 'e-1' }));
    const b = event(record({ eventID: 'e-2', userIdentity: JSON.parse(JSON.stringify(record().userIdentity)) as CloudTrailRecord['userIdentity'] }));
    expect(b.actor).toBe(a.actor);
    expect(a.actor).toEqual({
      arn: 'arn:aws:sts::111122223333:assumed-role/ci/build-1',
      type: 'AssumedRole',
      accountId: '111122223333',
      issuerArn: 'arn:aws:iam::111122223333:role/ci',
      userName: 'ci',
      accessKeyId: 'ASIAEXAMPLE',
    });
  });

  it('keeps principals that differ in any field apart', () => {
    const base = event(record()).actor;
    const otherKey = event(record({ userIdentity: { ...record().userIdentity, accessKeyId: 'ASIAOTHER' } })).actor;
    const viaService = event(record({ userIdentity: { ...record().userIdentity, invokedBy: 'autoscaling.amazonaws.com' } })).actor;
    expect(otherKey).not.toBe(base);
    expect(otherKey.accessKeyId).toBe('ASIAOTHER');
    expect(viaService).not.toBe(base);
    expect(viaService.invokedBy).toBe('autoscaling.amazonaws.com');
    expect(base.invokedBy).toBeUndefined();
  });

  it('reads the same values as before sharing', () => {
    expect(event(record())).toMatchObject({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', region: 'eu-west-1', accountId: '111122223333', sourceIp: '198.51.100.7', userAgent: 'aws-cli/2.15.0' });
  });
});

describe('intern', () => {
  it('returns an equal string, and keeps working past its bound', () => {
    for (let i = 0; i < 50_000; i++) expect(intern(`value-${i}`)).toBe(`value-${i}`);
    expect(intern('eu-west-1')).toBe('eu-west-1');
  });
});
