import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, inject, it } from 'vitest';

describe('the moto server the tests share', () => {
  it('answers SDK calls on 127.0.0.1', async () => {
    expect(inject('motoEndpoint')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_ENDPOINT_URL).toBe(inject('motoEndpoint'));
    const out = await new EC2Client({ region: 'us-east-1' }).send(new DescribeRegionsCommand({}));
    expect(out.Regions?.map((r) => r.RegionName)).toContain('eu-west-1');
  });
});
