import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloudTrailPatterns } from '../../lib/constructs/detection/patterns';
import { synthesize, TEST_CONFIG, type Synth } from './stack';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

let s: Synth;
let resources: Record<string, Resource>;
const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);
/** The detection rules (the billing check's schedule is a rule too). */
const patternRules = (): [string, Resource][] => ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern !== undefined);

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
  s = synthesize();
  resources = s.template.toJSON().Resources as Record<string, Resource>;
});

describe('detection', () => {
  it('has one rule per event source on the default bus and on the central bus, with the engine\'s own patterns', () => {
    const rules = patternRules().map(([, r]) => r.Properties);
    const expected = cloudTrailPatterns().map((p) => p.pattern);
    expect(rules).toHaveLength(expected.length * 2);
    for (const pattern of expected) {
      const matching = rules.filter((r) => JSON.stringify(r.EventPattern) === JSON.stringify(pattern));
      expect(matching, JSON.stringify(pattern.detail.eventSource)).toHaveLength(2);
      expect(matching.some((r) => r.EventBusName === 'default')).toBe(true);
    }
    const ec2 = expected.find((p) => p.detail.eventSource[0] === 'ec2.amazonaws.com')!;
    expect(ec2.detail.eventName).toEqual(expect.arrayContaining([
      'RunInstances', 'RequestSpotInstances', 'RequestSpotFleet', 'CreateFleet', 'RunScheduledInstances', 'AllocateAddress', 'AssociateAddress',
      'TerminateInstances', 'ReleaseAddress', 'ModifyInstanceAttribute', 'CreateKeyPair', 'ImportKeyPair', 'AuthorizeSecurityGroupIngress',
    ]));
    // Failed calls are events too: nothing in the pattern filters on errorCode or readOnly.
    expect(JSON.stringify(expected)).not.toMatch(/errorCode|readOnly/);
  });

  it('opts in to read-only management events only on the rules that name read-only calls (quota reads)', () => {
    const states = patternRules().map(([, r]) => [(r.Properties.EventPattern as { detail: { eventSource: string[] } }).detail.eventSource[0], r.Properties.State]);
    for (const [source, state] of states) {
      expect(state, String(source)).toBe(source === 'servicequotas.amazonaws.com' ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED');
    }
  });

  it('sends every rule to the encrypted queue, with a dead-letter queue for what cannot be delivered', () => {
    for (const [, rule] of patternRules()) {
      const targets = rule.Properties.Targets as { Arn: unknown; DeadLetterConfig?: unknown; RetryPolicy?: unknown }[];
      expect(targets).toHaveLength(1);
      expect(targets[0]!.DeadLetterConfig).toBeDefined();
      expect(targets[0]!.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 8 });
    }
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    for (const [, q] of queues) expect(q.Properties.KmsMasterKeyId).toBeDefined();
    s.template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() } });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmActions: [Match.anyValue()],
    });
  });

  it('alarms operators when a workflow fails or times out', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'failed + timedOut + operationsFailed' }),
        Match.objectLike({ Id: 'failed', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsFailed', Namespace: 'AWS/States' }) }) }),
        Match.objectLike({ Id: 'timedOut', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsTimedOut' }) }) }),
        Match.objectLike({ Id: 'operationsFailed', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsFailed' }) }) }),
      ]),
    });
  });

  it('admits only the configured organisation to the central bus', () => {
    s.template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({ Effect: 'Allow', Action: 'events:PutEvents', Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } } }),
    });
  });

  it('feeds the scorer in batches with partial failures', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });
});

describe('functions', () => {
  it('run Node.js 24 on arm64 with tracing, in their own encrypted log groups', () => {
    const fns = ofType('AWS::Lambda::Function').filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'));
    expect(fns.length).toBe(12);
    for (const [, fn] of fns) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogGroup: expect.anything() as unknown });
    }
    for (const [, lg] of ofType('AWS::Logs::LogGroup')) expect(lg.Properties.KmsKeyId).toBeDefined();
  });

  it('carry no secret in their environment: secrets are named, not given', () => {
    const text = JSON.stringify(ofType('AWS::Lambda::Function').map(([, f]) => f.Properties.Environment ?? {}));
    expect(text).not.toMatch(/hooks\.slack\.com|SecretString|password/i);
    expect(text).toMatch(/SIGNING_KEY_SECRET/);
    expect(text).toMatch(/SLACK_WEBHOOK_SECRET/);
  });
});

describe('least privilege', () => {
  const statements = (): { policy: string; st: Statement }[] =>
    ofType('AWS::IAM::Policy').flatMap(([id, p]) => ((p.Properties.PolicyDocument as { Statement: Statement[] }).Statement ?? []).map((st) => ({ policy: id, st })));
  const actions = (st: Statement): string[] => (Array.isArray(st.Action) ? st.Action : [st.Action]);

  it('never grants a mutating EC2 action on * without a condition', () => {
    const mutating = /^ec2:(?!Describe|Get|List)/;
    for (const { policy, st } of statements()) {
      if (!actions(st).some((a) => mutating.test(a))) continue;
      const everything = st.Resource === '*' || (Array.isArray(st.Resource) && st.Resource.includes('*'));
      expect(everything && !st.Condition, `${policy}: ${actions(st).join(',')}`).toBe(false);
    }
  });

  it('lets the tagger write only the responder\'s own tag keys, on instances and Elastic IPs', () => {
    const tag = statements().find(({ policy, st }) => policy.startsWith('WorkflowTasksTagRole') && actions(st).includes('ec2:CreateTags'))!.st;
    expect(tag.Condition).toEqual({ 'ForAllValues:StringEquals': { 'aws:TagKeys': [
      'rogue-infra:finding-id', 'rogue-infra:severity', 'rogue-infra:status', 'rogue-infra:containment', 'rogue-infra:manifest', 'rogue-infra:instance-id', 'rogue-infra:device', 'rogue-infra:group',
    ] } });
    expect(JSON.stringify(tag.Resource)).toMatch(/:instance\/\*.*:elastic-ip\/\*/);
  });

  it('uses exact action names, no service wildcards, outside CDK\'s own deployment helper', () => {
    for (const { policy, st } of statements()) {
      if (policy.startsWith('CustomCDKBucketDeployment')) continue;
      for (const a of actions(st)) expect(a, policy).not.toMatch(/\*$/);
    }
  });

  it('lets the Contain function change only instances and interfaces under containment, and rules only on its own groups', () => {
    const contain = statements().filter(({ policy }) => policy.startsWith('WorkflowTasksContainRole'));
    const grant = (action: string, resource: RegExp) => contain.filter(({ st }) => actions(st).includes(action) && JSON.stringify(st.Resource).match(resource)).map(({ st }) => st);
    const tagged = { Null: { 'aws:ResourceTag/rogue-infra:containment': 'false' } };
    expect(grant('ec2:ModifyInstanceAttribute', /:instance\/\*/)).toEqual([expect.objectContaining({ Condition: tagged })]);
    expect(grant('ec2:ModifyNetworkInterfaceAttribute', /:network-interface\/\*/)).toEqual([expect.objectContaining({ Condition: tagged })]);
    for (const a of ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress']) {
      expect(grant(a, /security-group/)).toEqual([expect.objectContaining({ Condition: { Null: { 'aws:ResourceTag/rogue-infra:group': 'false' } } })]);
    }
    expect(grant('ec2:CreateSnapshot', /::snapshot/)).toEqual([expect.objectContaining({ Condition: { Null: { 'aws:RequestTag/rogue-infra:finding-id': 'false' } } })]);
    // Nothing that destroys evidence, and the optional steps only when configured (they are off here).
    const all = contain.flatMap(({ st }) => actions(st));
    for (const a of ['ec2:TerminateInstances', 'ec2:DeleteSnapshot', 'ec2:DeleteVolume', 'ec2:StopInstances', 'iam:PutRolePolicy', 'iam:PassRole', 'ec2:CreateNetworkAclEntry', 'ec2:DisassociateIamInstanceProfile']) {
      expect(all, a).not.toContain(a);
    }
  });

  it('grants the optional containment steps when the configuration turns them on, each scoped', () => {
    const withOptions = synthesize({ ...TEST_CONFIG, deployment: { ...TEST_CONFIG.deployment, containment: { removeInstanceProfile: true, revokeRoleSessions: true, blockFlaggedIps: true, untrackSeconds: 120 } } });
    const res = withOptions.template.toJSON().Resources as Record<string, Resource>;
    const sts = Object.entries(res)
      .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('WorkflowTasksContainRole'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const find = (a: string) => sts.find((st) => actions(st).includes(a));
    expect(find('iam:PutRolePolicy')?.Condition).toEqual({ StringEquals: { 'iam:PolicyName': 'rogue-infra-revoke-older-sessions' } });
    expect(find('iam:PassRole')?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
    expect(find('ec2:DisassociateIamInstanceProfile')?.Condition).toEqual({ Null: { 'aws:ResourceTag/rogue-infra:containment': 'false' } });
    expect(JSON.stringify(find('ec2:CreateNetworkAclEntry')?.Resource)).toMatch(/network-acl\/\*/);
    const fn = Object.entries(res).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('WorkflowTasksContain'))![1];
    const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(JSON.parse(env.CONTAINMENT_SETTINGS!)).toMatchObject({ untrackSeconds: 120, removeInstanceProfile: true, revokeRoleSessions: true, blockFlaggedIps: true, autoScaling: 'standby' });
    expect(fn.Properties.Timeout).toBe(420);
  });

  it('lets only the approval endpoint answer the waiting workflow, and only that state machine', () => {
    const callbacks = statements().filter(({ st }) => actions(st).includes('states:SendTaskSuccess'));
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]!.st.Resource).toEqual({ Ref: expect.stringMatching(/^WorkflowStateMachine/) as unknown });
  });
});

describe('state', () => {
  it('encrypts tables, queues and topics with the responder key, with point-in-time recovery and TTL', () => {
    for (const [, t] of ofType('AWS::DynamoDB::Table')) {
      expect(t.Properties).toMatchObject({
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() as unknown },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { Enabled: true },
      });
    }
    for (const [, t] of ofType('AWS::SNS::Topic')) expect(t.Properties.KmsMasterKeyId).toBeDefined();
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
    s.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('keeps findings and decisions when the stack is deleted', () => {
    s.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] } });
  });
});

describe('the billing check', () => {
  it('runs daily at the configured hour, may read Cost Explorer and start the workflow, and creates no monitor unless asked', () => {
    const schedule = ofType('AWS::Events::Rule').find(([, r]) => String(r.Properties.ScheduleExpression).startsWith('cron('))![1];
    expect(schedule.Properties.ScheduleExpression).toBe('cron(15 6 * * ? *)');
    const sts = ofType('AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('BillingCheckRole'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const all = sts.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
    expect(all).toEqual(expect.arrayContaining(['ce:GetAnomalies', 'ce:GetCostAndUsage', 'states:StartExecution', 'dynamodb:PutItem']));
    expect(ofType('AWS::CE::AnomalyMonitor')).toEqual([]);
    const fn = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('BillingCheck'))![1];
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.parse(String(env.BILLING_SETTINGS))).toEqual({ lookbackDays: 7, growthMarginPercent: 20, baseline: { baselineDays: 28, factor: 3, minDollars: 50, minHistoryDays: 7, newAccountDollars: 100 } });
    // A run that failed alarms operators; the schedule does not retry (every rerun pays for its calls).
    expect((schedule.Properties.Targets as { RetryPolicy?: { MaximumRetryAttempts: number } }[])[0]!.RetryPolicy?.MaximumRetryAttempts).toBe(0);
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda', AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }], Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^BillingCheck') } }] });
  });

  it('with createMonitor: a service monitor, an immediate subscription to the findings topic, which Cost Anomaly Detection may publish to', () => {
    const withMonitor = synthesize({ ...TEST_CONFIG, deployment: { ...TEST_CONFIG.deployment, billing: { createMonitor: true, subscriptionThresholdDollars: 250, scheduleUtcHour: 3 } } });
    withMonitor.template.hasResourceProperties('AWS::CE::AnomalyMonitor', { MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' });
    withMonitor.template.hasResourceProperties('AWS::CE::AnomalySubscription', {
      Frequency: 'IMMEDIATE',
      Subscribers: [{ Type: 'SNS', Address: { Ref: Match.stringLikeRegexp('^Findings') } }],
      ThresholdExpression: Match.serializedJson({ Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['250'] } }),
    });
    withMonitor.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'costalerts.amazonaws.com' }, Action: 'sns:Publish' })]) }),
    });
    withMonitor.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(15 3 * * ? *)' });
  });

  it('is absent when turned off', () => {
    const off = synthesize({ ...TEST_CONFIG, deployment: { ...TEST_CONFIG.deployment, billing: { enabled: false } } });
    expect(Object.values(off.template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } })).map((r) => (r as { Properties: { ScheduleExpression: string } }).Properties.ScheduleExpression)).toEqual(['rate(6 hours)']);
  });
});

describe('the reconciliation sweep', () => {
  it('runs every few hours over the stack\'s region, may list instances and accounts and start the workflow', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
    const fn = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('SweepFunction'))![1];
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({ SWEEP_REGIONS: 'eu-west-1', SWEEP_WINDOW_HOURS: '24', ACCOUNT_ID: '111122223333' });
    const actions = ofType('AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('SweepFunctionRole'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
    expect(actions).toEqual(expect.arrayContaining(['ec2:DescribeRegions', 'ec2:DescribeInstances', 'organizations:ListAccounts', 'states:StartExecution']));
    expect(actions).not.toContain('sts:AssumeRole'); // no forwarding here: no member role to assume
  });
});

describe('the workflow', () => {
  type State = { Type: string; Next?: string; End?: boolean; Retry?: { ErrorEquals: string[] }[]; Catch?: { ErrorEquals: string[]; Next: string }[]; Resource?: string; TimeoutSeconds?: number; Choices?: unknown[] };
  let states: Record<string, State>;

  beforeAll(() => {
    const sm = ofType('AWS::StepFunctions::StateMachine').find(([id]) => id.startsWith('WorkflowStateMachine'))![1];
    expect(sm.Properties).toMatchObject({ StateMachineType: 'STANDARD', TracingConfiguration: { Enabled: true }, LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true } });
    // The definition is a Fn::Join of strings and function ARNs: resolve the ARNs to placeholders.
    const parts = (sm.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const json = parts.map((p) => (typeof p === 'string' ? p : 'ARN')).join('');
    states = (JSON.parse(json) as { States: Record<string, State> }).States;
  });

  it('names its states in sentences, in the order of the playbook', () => {
    expect(Object.keys(states)).toEqual(expect.arrayContaining([
      'Describe the instances and the account', 'Assess with what was learned', 'Record the finding', 'Tag the instances and addresses',
      'Escalated to Tier 2?', 'Notify the Tier 1 finding', 'Notify the escalation', 'Create the approval request', 'Notify the approvers',
      'Plan the containment (dry run)', 'Record the approval request', 'Wait for a decision', 'Approved?',
      'Preserve the evidence and untrack flows', 'Let tracked flows go untracked', 'Isolate the instances', 'Contained', 'Rejected: not contained', 'No decision by the deadline',
      'Notify the outcome', 'Record the outcome', 'Notify the failure', 'Record the failure', 'Workflow failed', 'Done',
    ]));
  });

  it('retries throttling and transient errors, and catches every other failure of every task into the failure notice', () => {
    const tasks = Object.entries(states).filter(([, st]) => st.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(13);
    for (const [name, st] of tasks) {
      expect(st.Retry?.[0]?.ErrorEquals, name).toEqual(expect.arrayContaining(['Lambda.TooManyRequestsException', 'TransientError', 'ThrottlingException']));
      if (name === 'Notify the failure' || name === 'Record the failure') continue;
      const all = st.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      if (name === 'Read where each interface stands') {
        expect(all?.Next).toBe('Notify the failure');
        continue;
      }
      expect(all?.Next, name).toBe(`${name}: failed`);
      // Containment steps first read where each ENI stands, for the notice.
      const containment = name === 'Preserve the evidence and untrack flows' || name === 'Isolate the instances';
      expect(states[`${name}: failed`]?.Next).toBe(containment ? 'Read where each interface stands' : 'Notify the failure');
    }
  });

  it('quarantines only after approval: evidence and untrack, a wait, isolation, then the outcome', () => {
    const choice = states['Approved?'] as State & { Choices: { Next: string }[]; Default: string };
    expect(choice.Choices[0]!.Next).toBe('Preserve the evidence and untrack flows');
    expect(choice.Default).toBe('Rejected: not contained');
    expect(states['Preserve the evidence and untrack flows']?.Next).toBe('Let tracked flows go untracked');
    expect(states['Let tracked flows go untracked']).toMatchObject({ Type: 'Wait', Seconds: 60, Next: 'Isolate the instances' });
    expect(states['Isolate the instances']?.Next).toBe('By approval or by policy?');
    const how = states['By approval or by policy?'] as unknown as { Choices: { Next: string }[]; Default: string };
    expect([how.Choices[0]!.Next, how.Default]).toEqual(['Contained', 'Contained automatically']);
    expect(states['Contained']?.Next).toBe('Notify the outcome');
    expect(states['Read where each interface stands']?.Next).toBe('Add the interface states to the failure');
    expect(states['Add the interface states to the failure']?.Next).toBe('Notify the failure');
    // The approver sees the dry run: the plan comes before the approval request.
    expect(states['Notify the escalation']?.Next).toBe('Plan the containment (dry run)');
    expect(states['Plan the containment (dry run)']?.Next).toBe('Create the approval request');
  });

  it('lets the containment policy decide first: never, a dry run, automatic, or a person', () => {
    const policy = states['Containment policy?'] as unknown as { Choices: { Next: string }[]; Default: string };
    expect((states['Escalated to Tier 2?'] as unknown as { Choices: { Next: string }[] }).Choices.map((c) => c.Next)).toEqual(['Containment policy?']);
    expect(policy.Choices.map((c) => c.Next)).toEqual(['Notify the escalation: never contained here', 'Notify the escalation: dry run', 'Notify the escalation: automatic containment']);
    expect(policy.Default).toBe('Notify the escalation');
    expect(states['Plan the automatic containment']?.Next).toBe('Preserve the evidence and untrack flows');
    expect(states['Plan the containment (policy dry run)']?.Next).toBe('Dry run: not contained');
    expect(states['Not contained: policy says never']?.Next).toBe('Record the outcome');
  });

  it('has an operations state machine for release and quarantine by hand, and outputs it with the table', () => {
    const ops = ofType('AWS::StepFunctions::StateMachine').find(([id]) => id.startsWith('WorkflowOperations'));
    expect(ops).toBeDefined();
    const outputs = s.template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['OperationsStateMachineArn', 'StateTableName']));
  });

  it('waits for the approval with a task token until the links expire, then says it was not contained', () => {
    const wait = states['Wait for a decision']!;
    expect(wait.Resource).toMatch(/:states:::lambda:invoke\.waitForTaskToken$/);
    expect(wait.TimeoutSeconds).toBe(12 * 3600);
    expect(wait.Catch?.[0]).toEqual({ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'No decision by the deadline' });
    expect(states['No decision by the deadline']?.Next).toBe('Notify the outcome');
  });
});
