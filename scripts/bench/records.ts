import { RELEVANT_EVENT_NAMES, isRelevant } from '../../lambdas/core/constants';
import { type Rng, Weighted } from './rng';

/**
 * Synthetic CloudTrail records with the shapes, sizes and entropy of a real
 * organization trail: mostly S3/DynamoDB/Lambda data events, KMS and STS
 * traffic and EC2 Describe* polling, and a few percent of the provisioning
 * calls the engine reads (RunInstances with full reservations, addresses,
 * security groups, key pairs, quotas). Identifiers that are unique per call
 * in real logs (eventID, requestID, S3 `x-amz-id-2`, session tokens, object
 * keys) are random; principals, sessions, user agents and resources repeat,
 * as they do in a real account. That mix is what makes the gzip ratio
 * realistic (about 10x) instead of the 40x a templated corpus would give,
 * and decompression cost is part of what the hunt is measured on.
 *
 * Shapes follow real records (Stratus Red Team detonation logs, the Elastic
 * AWS integration's pipeline tests), keys in CloudTrail's own order.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const REGIONS: readonly (readonly [string, number])[] = [
  ['us-east-1', 5],
  ['us-west-2', 2],
  ['eu-west-1', 2],
  ['ap-southeast-2', 1],
];

const USER_AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.84-99.169.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/s3.cp',
  'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  'aws-sdk-java/2.25.16 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy',
  'aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.0',
  'aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.213-222.856.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/dynamodb#3.540.0 exec-env/AWS_Lambda_nodejs20.x',
  'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.152.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.660 Linux/5.10.213-179.855.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard]',
  'kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/6813625 aws-sdk-go/1.50.8 (go1.21.8; linux; amd64)',
];

/** Principals that make provisioning calls in a healthy account: pipelines, the console, Auto Scaling. */
const PROVISIONER_UA = [USER_AGENTS[6]!, USER_AGENTS[7]!, USER_AGENTS[1]!];

const INSTANCE_TYPES = new Weighted<string>([
  ['t3.micro', 20],
  ['t3.medium', 15],
  ['m5.large', 20],
  ['m6i.xlarge', 10],
  ['c6i.2xlarge', 8],
  ['r6g.large', 8],
  ['m7g.medium', 6],
  ['g5.xlarge', 2],
  ['p3.2xlarge', 1],
  ['c5.18xlarge', 1],
]);

const AMIS = ['ami-0c101f26f147fa7fd', 'ami-04e5276ebb8451442', 'ami-0a3c3a20c09d6f377', 'ami-08a0d1e16fc3f61ea', 'ami-051f8a213df8bc089'];
const TEAMS = ['payments', 'search', 'platform', 'data', 'identity', 'growth'];
const ENVS = ['prod', 'staging', 'dev'];

interface Session {
  readonly identity: JsonObject;
  readonly sourceIp: string;
  readonly userAgent: string;
}

interface Principal {
  readonly sessions: readonly Session[];
  readonly roleArn: string;
  readonly provisioner: boolean;
}

interface Account {
  readonly id: string;
  readonly principals: readonly Principal[];
  readonly provisioners: readonly Principal[];
  readonly buckets: readonly string[];
  readonly tables: readonly string[];
  readonly functions: readonly string[];
  readonly kmsKeys: readonly string[];
  readonly secrets: readonly string[];
  readonly vpcs: readonly { readonly vpc: string; readonly subnet: string; readonly sg: string }[];
  /** Instances launched so far, by region: TerminateInstances and AssociateAddress pick from these. */
  readonly live: Map<string, string[]>;
  /** Allocated Elastic IPs, by region. */
  readonly addresses: Map<string, { allocationId: string; publicIp: string }[]>;
}

function iso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** STS writes credential expiry in this form: "Jun 1, 2024, 1:03:12 AM". */
function stsExpiry(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]!} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 || 12}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** A temporary (STS) access key id. */
function sessionKey(rng: Rng): string {
  return `ASIA${rng.upper(16)}`;
}

function makeAccount(rng: Rng, start: number): Account {
  const id = String(rng.int(100_000_000_000, 999_999_999_999));
  const principals: Principal[] = [];
  const addRole = (name: string, path: string, sessionName: () => string, ua: () => string, provisioner: boolean): void => {
    const roleId = `AROA${rng.upper(17)}`;
    const roleArn = `arn:aws:iam::${id}:role/${path}${name}`;
    const sessions = Array.from({ length: 3 }, (): Session => {
      const session = sessionName();
      return {
        identity: {
          type: 'AssumedRole',
          principalId: `${roleId}:${session}`,
          arn: `arn:aws:sts::${id}:assumed-role/${name}/${session}`,
          accountId: id,
          accessKeyId: sessionKey(rng),
          sessionContext: {
            sessionIssuer: { type: 'Role', principalId: roleId, arn: roleArn, accountId: id, userName: name },
            webIdFederationData: {},
            attributes: { creationDate: iso(start - rng.int(60, 3600) * 1000), mfaAuthenticated: 'false' },
          },
        },
        sourceIp: rng.chance(0.3) ? `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}` : rng.publicIp(),
        userAgent: ua(),
      };
    });
    principals.push({ sessions, roleArn, provisioner });
  };
  for (const team of TEAMS) {
    for (const env of ENVS) {
      addRole(`${team}-${env}-task`, 'service-role/', () => rng.hex(32), () => rng.pick(USER_AGENTS.slice(2, 6)), false);
      addRole(`${team}-${env}-lambda`, '', () => `${team}-${env}-${rng.pick(['ingest', 'api', 'worker', 'cron'])}`, () => USER_AGENTS[5]!, false);
    }
    addRole(`${team}-ec2-instance`, '', () => `i-0${rng.hex(16)}`, () => rng.pick(USER_AGENTS.slice(0, 5)), false);
  }
  for (const person of ['alice', 'bob', 'chen', 'dana', 'emeka', 'farah']) {
    addRole(`AWSReservedSSO_AdministratorAccess_${rng.hex(16)}`, 'aws-reserved/sso.amazonaws.com/', () => `${person}@example.com`, () => rng.pick([USER_AGENTS[1]!, USER_AGENTS[7]!, USER_AGENTS[8]!]), true);
  }
  addRole('github-actions-deploy', '', () => 'GitHubActions', () => rng.pick(PROVISIONER_UA), true);
  addRole('terraform-apply', '', () => `terraform-${rng.int(1_700_000_000, 1_720_000_000)}`, () => USER_AGENTS[6]!, true);
  addRole('eks-nodegroup-scaler', '', () => `eks-${rng.lower(10)}`, () => USER_AGENTS[9]!, true);
  const vpcs = Array.from({ length: 4 }, () => ({ vpc: `vpc-0${rng.hex(16)}`, subnet: `subnet-0${rng.hex(16)}`, sg: `sg-0${rng.hex(16)}` }));
  return {
    id,
    principals,
    provisioners: principals.filter((p) => p.provisioner),
    buckets: TEAMS.flatMap((t) => [`${t}-${id}-data`, `${t}-artifacts-${rng.lower(8)}`]).concat([`aws-cloudtrail-logs-${id}-${rng.hex(8)}`]),
    tables: TEAMS.flatMap((t) => [`${t}-sessions`, `${t}-events-v2`]),
    functions: TEAMS.flatMap((t) => ENVS.map((e) => `${t}-${e}-${rng.pick(['ingest', 'api', 'worker', 'cron'])}`)),
    kmsKeys: Array.from({ length: 8 }, () => rng.uuid()),
    secrets: TEAMS.map((t) => `${t}/prod/db-${rng.lower(6)}`),
    vpcs,
    live: new Map(),
    addresses: new Map(),
  };
}

/** One record being built: the fields every event type sets, in CloudTrail's order. */
interface Call {
  readonly eventVersion: string;
  readonly identity: JsonObject;
  readonly time: number;
  readonly source: string;
  readonly name: string;
  readonly region: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly requestParameters: JsonObject | null;
  readonly responseElements: JsonObject | null;
  readonly additionalEventData?: JsonObject;
  readonly resources?: JsonObject[];
  readonly error?: { readonly code: string; readonly message: string };
  readonly readOnly: boolean;
  readonly data?: boolean;
  readonly account: string;
  /** Calls made by an AWS service have no TLS details. */
  readonly tls: boolean;
}

function record(rng: Rng, c: Call): JsonObject {
  const r: JsonObject = {
    eventVersion: c.eventVersion,
    userIdentity: c.identity,
    eventTime: iso(c.time),
    eventSource: c.source,
    eventName: c.name,
    awsRegion: c.region,
    sourceIPAddress: c.sourceIp,
    userAgent: c.userAgent,
  };
  if (c.error) {
    r.errorCode = c.error.code;
    r.errorMessage = c.error.message;
  }
  r.requestParameters = c.requestParameters;
  r.responseElements = c.responseElements;
  if (c.additionalEventData) r.additionalEventData = c.additionalEventData;
  r.requestID = c.source === 's3.amazonaws.com' ? rng.upper(16) : rng.uuid();
  r.eventID = rng.uuid();
  r.readOnly = c.readOnly;
  if (c.resources) r.resources = c.resources;
  r.eventType = 'AwsApiCall';
  r.managementEvent = !c.data;
  r.recipientAccountId = c.account;
  r.eventCategory = c.data ? 'Data' : 'Management';
  if (c.tls) {
    r.tlsDetails = {
      tlsVersion: 'TLSv1.3',
      cipherSuite: rng.chance(0.8) ? 'TLS_AES_128_GCM_SHA256' : 'TLS_AES_256_GCM_SHA384',
      clientProvidedHostHeader: `${c.source.replace('.amazonaws.com', '')}.${c.region}.amazonaws.com`,
    };
  }
  return r;
}

const NOISE_EVENTS = [
  ['s3.amazonaws.com', 'GetObject', 14],
  ['s3.amazonaws.com', 'PutObject', 5],
  ['s3.amazonaws.com', 'HeadObject', 6],
  ['s3.amazonaws.com', 'ListObjects', 3],
  ['kms.amazonaws.com', 'Decrypt', 12],
  ['kms.amazonaws.com', 'GenerateDataKey', 5],
  ['sts.amazonaws.com', 'AssumeRole', 4],
  ['sts.amazonaws.com', 'GetCallerIdentity', 4],
  ['ec2.amazonaws.com', 'DescribeInstances', 8],
  ['ec2.amazonaws.com', 'DescribeNetworkInterfaces', 3],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups', 2],
  ['ec2.amazonaws.com', 'DescribeVolumes', 2],
  ['ec2.amazonaws.com', 'DescribeInstanceStatus', 4],
  ['iam.amazonaws.com', 'GetRole', 2],
  ['iam.amazonaws.com', 'ListAttachedRolePolicies', 1],
  ['lambda.amazonaws.com', 'Invoke', 4],
  ['lambda.amazonaws.com', 'GetFunction', 1],
  ['logs.amazonaws.com', 'CreateLogStream', 3],
  ['dynamodb.amazonaws.com', 'GetItem', 4],
  ['dynamodb.amazonaws.com', 'Query', 3],
  ['dynamodb.amazonaws.com', 'PutItem', 2],
  ['ssm.amazonaws.com', 'GetParameter', 2],
  ['secretsmanager.amazonaws.com', 'GetSecretValue', 2],
  ['ecr.amazonaws.com', 'GetAuthorizationToken', 1],
  ['ecr.amazonaws.com', 'BatchGetImage', 1],
] as const;

const PROVISIONING_EVENTS = [
  ['ec2.amazonaws.com', 'RunInstances', 30],
  ['ec2.amazonaws.com', 'TerminateInstances', 14],
  ['ec2.amazonaws.com', 'AllocateAddress', 8],
  ['ec2.amazonaws.com', 'AssociateAddress', 6],
  ['ec2.amazonaws.com', 'ReleaseAddress', 4],
  ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', 10],
  ['ec2.amazonaws.com', 'CreateKeyPair', 5],
  ['ec2.amazonaws.com', 'ModifyInstanceAttribute', 5],
  ['ec2.amazonaws.com', 'RequestSpotInstances', 3],
  ['servicequotas.amazonaws.com', 'GetServiceQuota', 4],
] as const;

// The benchmark checks the hunt finds exactly the provisioning events the
// generator wrote; that only holds while the two lists agree with the engine.
for (const [, name] of NOISE_EVENTS) {
  if (RELEVANT_EVENT_NAMES.has(name)) throw new Error(`noise event ${name} is one the engine reads`);
}
for (const [source, name] of PROVISIONING_EVENTS) {
  if (!isRelevant(source, name)) throw new Error(`provisioning event ${source} ${name} is not one the engine reads`);
}

type EventKey = readonly [source: string, name: string];
const noiseTable = new Weighted<EventKey>(NOISE_EVENTS.map(([s, n, w]) => [[s, n], w]));
const provisioningTable = new Weighted<EventKey>(PROVISIONING_EVENTS.map(([s, n, w]) => [[s, n], w]));

/** Sessions calling at any one time, and the share of calls that come from one of them. */
const ACTIVE_SESSIONS = 4;
const BURST_SHARE = 0.8;

/** Share of records that are provisioning calls. */
export const PROVISIONING_SHARE = 0.03;

export class TrailSynth {
  private readonly accounts: readonly Account[];
  private readonly active: Session[] = [];
  private activeAccount: Account | undefined;

  constructor(
    private readonly rng: Rng,
    start: number,
  ) {
    this.accounts = Array.from({ length: 4 }, () => makeAccount(rng, start));
  }

  get accountIds(): readonly string[] {
    return this.accounts.map((a) => a.id);
  }

  /** One record for `account` in `region` at `time`; `provisioning` says which kind. */
  next(accountIndex: number, region: string, time: number, provisioning: boolean): { json: string; eventName: string } {
    const account = this.accounts[accountIndex];
    if (!account) throw new Error(`no account ${accountIndex}`);
    const rng = this.rng;
    const [source, name] = (provisioning ? provisioningTable : noiseTable).pick(rng);
    const r = provisioning ? this.provisioning(account, region, time, source, name) : this.noise(account, region, time, source, name);
    return { json: JSON.stringify(r), eventName: name };
  }

  /**
   * Who makes the next call. Callers work in bursts (a task reads an object,
   * decrypts it, writes a row), so most calls come from one of the few
   * sessions active right now; the rest start a new burst.
   */
  private session(account: Account, provisioner: boolean): Session {
    const rng = this.rng;
    if (provisioner) return rng.pick(rng.pick(account.provisioners).sessions);
    if (account !== this.activeAccount) {
      this.activeAccount = account;
      this.active.length = 0;
    }
    if (this.active.length > 0 && rng.chance(BURST_SHARE)) return rng.pick(this.active);
    const s = rng.pick(rng.pick(account.principals).sessions);
    if (this.active.length >= ACTIVE_SESSIONS) this.active.splice(rng.int(0, ACTIVE_SESSIONS - 1), 1);
    this.active.push(s);
    return s;
  }

  private noise(account: Account, region: string, time: number, source: string, name: string): JsonObject {
    const rng = this.rng;
    const s = this.session(account, false);
    const acct = account.id;
    const base = { identity: s.identity, time, source, name, region, sourceIp: s.sourceIp, userAgent: s.userAgent, account: acct, tls: true, readOnly: true };
    const denied = rng.chance(0.015);
    switch (source) {
      case 's3.amazonaws.com': {
        const bucket = rng.pick(account.buckets);
        const day = iso(time).slice(0, 10).replaceAll('-', '/');
        const key = `${rng.pick(['raw', 'curated', 'exports', 'logs', 'tmp'])}/${day}/part-${String(rng.int(0, 99999)).padStart(5, '0')}-${rng.uuid()}.snappy.parquet`;
        const list = name === 'ListObjects';
        const requestParameters: JsonObject = list
          ? { 'list-type': '2', bucketName: bucket, prefix: key.slice(0, key.indexOf('/part-') + 1), Host: `${bucket}.s3.${region}.amazonaws.com`, 'max-keys': '1000' }
          : { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, key };
        const additionalEventData: JsonObject = {
          SignatureVersion: 'SigV4',
          CipherSuite: 'TLS_AES_128_GCM_SHA256',
          bytesTransferredIn: name === 'PutObject' ? rng.int(200, 40_000_000) : 0,
          AuthenticationMethod: 'AuthHeader',
          'x-amz-id-2': rng.base64(76),
          bytesTransferredOut: name === 'GetObject' ? rng.int(200, 40_000_000) : 0,
        };
        const resources: JsonObject[] = list
          ? [{ accountId: acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }]
          : [
              { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
              { accountId: acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
            ];
        return record(rng, {
          ...base,
          eventVersion: '1.09',
          requestParameters,
          responseElements: name === 'PutObject' && !denied ? { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${region}:${acct}:key/${rng.pick(account.kmsKeys)}`, 'x-amz-server-side-encryption-bucket-key-enabled': 'true' } : null,
          additionalEventData,
          resources,
          data: true,
          readOnly: name !== 'PutObject',
          ...(denied ? { error: { code: 'AccessDenied', message: 'Access Denied' } } : {}),
        });
      }
      case 'kms.amazonaws.com': {
        const keyArn = `arn:aws:kms:${region}:${acct}:key/${rng.pick(account.kmsKeys)}`;
        const bucket = rng.pick(account.buckets);
        const context: JsonObject = rng.chance(0.5)
          ? { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${rng.pick(['raw', 'curated', 'exports'])}/${rng.hex(24)}` }
          : { 'aws:lambda:FunctionArn': `arn:aws:lambda:${region}:${acct}:function:${rng.pick(account.functions)}` };
        const params: JsonObject = name === 'Decrypt' ? { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: context } : { keyId: keyArn, encryptionContext: context, keySpec: 'AES_256' };
        return record(rng, {
          ...base,
          eventVersion: '1.08',
          // KMS calls made for S3 and Lambda are recorded as coming from the service.
          sourceIp: 'AWS Internal',
          userAgent: 'AWS Internal',
          tls: false,
          requestParameters: params,
          responseElements: null,
          resources: [{ accountId: acct, type: 'AWS::KMS::Key', ARN: keyArn }],
        });
      }
      case 'sts.amazonaws.com': {
        if (name === 'GetCallerIdentity') return record(rng, { ...base, eventVersion: '1.08', requestParameters: null, responseElements: null });
        const target = rng.pick(account.principals);
        const sessionName = rng.chance(0.5) ? `botocore-session-${rng.int(1_717_000_000, 1_719_000_000)}` : rng.hex(32);
        const roleName = target.roleArn.slice(target.roleArn.lastIndexOf('/') + 1);
        const service = rng.chance(0.5) ? rng.pick(['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com', 'ec2.amazonaws.com']) : undefined;
        const roleId = `AROA${rng.upper(17)}`;
        return record(rng, {
          ...base,
          eventVersion: '1.08',
          ...(service ? { identity: { type: 'AWSService', invokedBy: service }, sourceIp: service, userAgent: service, tls: false } : {}),
          requestParameters: { roleArn: target.roleArn, roleSessionName: sessionName, durationSeconds: 3600 },
          responseElements: {
            credentials: { accessKeyId: sessionKey(rng), sessionToken: rng.base64(rng.int(400, 700)), expiration: stsExpiry(time + 3_600_000) },
            assumedRoleUser: { assumedRoleId: `${roleId}:${sessionName}`, arn: `arn:aws:sts::${acct}:assumed-role/${roleName}/${sessionName}` },
          },
          resources: [{ accountId: acct, type: 'AWS::IAM::Role', ARN: target.roleArn }],
        });
      }
      case 'ec2.amazonaws.com': {
        const vpc = rng.pick(account.vpcs);
        const filter = (n: string, v: string): JsonObject => ({ name: n, valueSet: { items: [{ value: v }] } });
        const params: JsonObject =
          name === 'DescribeInstances'
            ? { instancesSet: {}, filterSet: { items: [filter('tag:team', rng.pick(TEAMS)), filter('instance-state-name', 'running')] } }
            : name === 'DescribeNetworkInterfaces'
              ? { networkInterfaceIdSet: {}, filterSet: { items: [filter('vpc-id', vpc.vpc), filter('subnet-id', vpc.subnet)] } }
              : name === 'DescribeSecurityGroups'
                ? { securityGroupSet: {}, securityGroupIdSet: { items: [{ groupId: vpc.sg }] }, filterSet: {} }
                : name === 'DescribeVolumes'
                  ? { volumeSet: { items: [{ volumeId: `vol-0${rng.hex(16)}` }] }, filterSet: {} }
                  : { instancesSet: { items: [{ instanceId: `i-0${rng.hex(16)}` }] }, filterSet: {}, includeAllInstances: false };
        return record(rng, {
          ...base,
          eventVersion: '1.10',
          requestParameters: params,
          responseElements: null,
          ...(denied ? { error: { code: 'Client.UnauthorizedOperation', message: 'You are not authorized to perform this operation.' } } : {}),
        });
      }
      case 'iam.amazonaws.com': {
        const roleName = rng.pick(account.principals).roleArn.split('/').pop()!;
        return record(rng, { ...base, eventVersion: '1.08', region: 'us-east-1', requestParameters: { roleName }, responseElements: null });
      }
      case 'lambda.amazonaws.com': {
        const fn = rng.pick(account.functions);
        const arn = `arn:aws:lambda:${region}:${acct}:function:${fn}`;
        if (name === 'GetFunction') return record(rng, { ...base, eventVersion: '1.08', requestParameters: { functionName: fn }, responseElements: null });
        return record(rng, {
          ...base,
          eventVersion: '1.08',
          requestParameters: { functionName: arn, invocationType: rng.chance(0.5) ? 'Event' : 'RequestResponse', sourceArn: `arn:aws:sqs:${region}:${acct}:${fn}-queue` },
          responseElements: null,
          additionalEventData: { functionVersion: `${arn}:$LATEST` },
          resources: [{ accountId: acct, type: 'AWS::Lambda::Function', ARN: arn }],
          data: true,
          readOnly: false,
        });
      }
      case 'logs.amazonaws.com': {
        const fn = rng.pick(account.functions);
        return record(rng, {
          ...base,
          eventVersion: '1.08',
          readOnly: false,
          requestParameters: { logGroupName: `/aws/lambda/${fn}`, logStreamName: `${iso(time).slice(0, 10).replaceAll('-', '/')}/[$LATEST]${rng.hex(32)}` },
          responseElements: null,
        });
      }
      case 'dynamodb.amazonaws.com': {
        const table = rng.pick(account.tables);
        const arn = `arn:aws:dynamodb:${region}:${acct}:table/${table}`;
        const params: JsonObject =
          name === 'Query'
            ? { tableName: table, keyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', limit: rng.int(10, 100), consistentRead: false }
            : name === 'PutItem'
              ? { tableName: table, key: { pk: `ORDER#${rng.uuid()}`, sk: `ITEM#${String(rng.int(0, 999)).padStart(5, '0')}` } }
              : { tableName: table, key: { pk: `USER#${rng.uuid()}` }, consistentRead: rng.chance(0.3) };
        return record(rng, {
          ...base,
          eventVersion: '1.08',
          requestParameters: params,
          responseElements: null,
          resources: [{ accountId: acct, type: 'AWS::DynamoDB::Table', ARN: arn }],
          data: true,
          readOnly: name !== 'PutItem',
        });
      }
      case 'ssm.amazonaws.com':
        return record(rng, { ...base, eventVersion: '1.08', requestParameters: { name: `/${rng.pick(TEAMS)}/${rng.pick(ENVS)}/${rng.pick(['db/url', 'api/token', 'feature-flags'])}`, withDecryption: true }, responseElements: null });
      case 'secretsmanager.amazonaws.com':
        return record(rng, {
          ...base,
          eventVersion: '1.08',
          requestParameters: { secretId: `arn:aws:secretsmanager:${region}:${acct}:secret:${rng.pick(account.secrets)}-${rng.upper(6)}` },
          responseElements: null,
        });
      default: {
        // ECR
        const repo = `${rng.pick(TEAMS)}/${rng.pick(['api', 'worker', 'migrations'])}`;
        return record(rng, {
          ...base,
          eventVersion: '1.08',
          requestParameters:
            name === 'BatchGetImage'
              ? { imageIds: [{ imageTag: `v1.${rng.int(0, 40)}.${rng.int(0, 9)}` }], acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'], repositoryName: repo, registryId: acct }
              : { registryIds: [acct] },
          responseElements: null,
          resources: name === 'BatchGetImage' ? [{ accountId: acct, ARN: `arn:aws:ecr:${region}:${acct}:repository/${repo}` }] : [],
        });
      }
    }
  }

  private provisioning(account: Account, region: string, time: number, source: string, name: string): JsonObject {
    const rng = this.rng;
    const acct = account.id;
    // Auto Scaling launches a share of the instances, with its own service-linked role.
    const autoscaling = name === 'RunInstances' || name === 'TerminateInstances' ? rng.chance(0.3) : false;
    const s = this.session(account, true);
    const identity: JsonObject = autoscaling
      ? {
          type: 'AssumedRole',
          principalId: `AROA${rng.upper(17)}:AutoScaling`,
          arn: `arn:aws:sts::${acct}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling`,
          accountId: acct,
          sessionContext: {
            sessionIssuer: { type: 'Role', principalId: `AROA${rng.upper(17)}`, arn: `arn:aws:iam::${acct}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`, accountId: acct, userName: 'AWSServiceRoleForAutoScaling' },
            attributes: { creationDate: iso(time - 1000), mfaAuthenticated: 'false' },
          },
          invokedBy: 'autoscaling.amazonaws.com',
        }
      : s.identity;
    const base = {
      identity,
      time,
      source,
      name,
      region,
      sourceIp: autoscaling ? 'autoscaling.amazonaws.com' : s.sourceIp,
      userAgent: autoscaling ? 'autoscaling.amazonaws.com' : s.userAgent,
      account: acct,
      tls: !autoscaling,
      readOnly: false,
      eventVersion: '1.10',
    };
    const vpc = rng.pick(account.vpcs);
    const live = account.live.get(region) ?? [];
    account.live.set(region, live);
    const addresses = account.addresses.get(region) ?? [];
    account.addresses.set(region, addresses);
    const requestId = rng.uuid();
    switch (name) {
      case 'RunInstances': {
        const type = INSTANCE_TYPES.pick(rng);
        const count = rng.chance(0.85) ? 1 : rng.int(2, 4);
        const image = rng.pick(AMIS);
        const team = rng.pick(TEAMS);
        const tags = rng.chance(0.9)
          ? [
              { key: 'Name', value: `${team}-${rng.pick(ENVS)}-${rng.lower(5)}` },
              { key: 'team', value: team },
              { key: 'cost-center', value: `cc-${rng.int(1000, 9999)}` },
            ]
          : [];
        const requestParameters: JsonObject = {
          instancesSet: { items: [{ imageId: image, minCount: 1, maxCount: count }] },
          instanceType: type,
          blockDeviceMapping: {},
          monitoring: { enabled: false },
          disableApiTermination: false,
          disableApiStop: false,
          clientToken: rng.uuid(),
          subnetId: vpc.subnet,
          ...(rng.chance(0.5) ? { keyName: `${team}-deploy` } : {}),
          ...(tags.length ? { tagSpecificationSet: { items: [{ resourceType: 'instance', tags }] } } : {}),
        };
        const failure = rng.chance(0.08)
          ? rng.pick([
              { code: 'Client.UnauthorizedOperation', message: 'You are not authorized to perform this operation.' },
              { code: 'Server.InsufficientInstanceCapacity', message: `We currently do not have sufficient ${type} capacity in the Availability Zone you requested.` },
              { code: 'Client.InstanceLimitExceeded', message: `You have requested more instances (${count}) than your current instance limit allows for the specified instance type.` },
            ])
          : undefined;
        if (failure) return record(rng, { ...base, requestParameters, responseElements: null, error: failure });
        const [family = 'm5', size = 'large'] = type.split('.');
        const cores = size.endsWith('xlarge') ? Math.max(2, 2 * (Number.parseInt(size, 10) || 1)) : 1;
        const instances: JsonObject[] = Array.from({ length: count }, (_, i) => {
          const id = `i-0${rng.hex(16)}`;
          live.push(id);
          const ip = `172.31.${rng.int(0, 255)}.${rng.int(1, 254)}`;
          const dns = `ip-${ip.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
          return {
            instanceId: id,
            imageId: image,
            currentInstanceBootMode: 'uefi',
            instanceState: { code: 0, name: 'pending' },
            privateDnsName: dns,
            keyName: requestParameters.keyName ?? null,
            amiLaunchIndex: i,
            productCodes: {},
            instanceType: type,
            launchTime: time,
            placement: { availabilityZone: `${region}${rng.pick(['a', 'b', 'c'])}`, tenancy: 'default' },
            monitoring: { state: 'disabled' },
            subnetId: vpc.subnet,
            vpcId: vpc.vpc,
            privateIpAddress: ip,
            stateReason: { code: 'pending', message: 'pending' },
            architecture: family.endsWith('g') ? 'arm64' : 'x86_64',
            rootDeviceType: 'ebs',
            rootDeviceName: '/dev/xvda',
            blockDeviceMapping: {},
            virtualizationType: 'hvm',
            hypervisor: 'xen',
            tagSet: { items: tags },
            clientToken: requestParameters.clientToken!,
            groupSet: { items: [{ groupId: vpc.sg, groupName: 'default' }] },
            sourceDestCheck: true,
            networkInterfaceSet: {
              items: [
                {
                  networkInterfaceId: `eni-0${rng.hex(16)}`,
                  subnetId: vpc.subnet,
                  vpcId: vpc.vpc,
                  ownerId: acct,
                  status: 'in-use',
                  macAddress: Array.from({ length: 6 }, () => rng.hex(2)).join(':'),
                  privateIpAddress: ip,
                  privateDnsName: dns,
                  sourceDestCheck: true,
                  interfaceType: 'interface',
                  groupSet: { items: [{ groupId: vpc.sg, groupName: 'default' }] },
                  attachment: { attachmentId: `eni-attach-0${rng.hex(16)}`, deviceIndex: 0, networkCardIndex: 0, status: 'attaching', attachTime: time, deleteOnTermination: true },
                  privateIpAddressesSet: { item: [{ privateIpAddress: ip, privateDnsName: dns, primary: true }] },
                  ipv6AddressesSet: {},
                  tagSet: {},
                },
              ],
            },
            ebsOptimized: false,
            enaSupport: true,
            cpuOptions: { coreCount: cores, threadsPerCore: 2 },
            capacityReservationSpecification: { capacityReservationPreference: 'open' },
            enclaveOptions: { enabled: false },
            metadataOptions: { state: 'pending', httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled', httpProtocolIpv4: 'enabled', httpProtocolIpv6: 'disabled', instanceMetadataTags: 'disabled' },
            maintenanceOptions: { autoRecovery: 'default' },
            privateDnsNameOptions: { hostnameType: 'ip-name', enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false },
          };
        });
        return record(rng, {
          ...base,
          requestParameters,
          responseElements: { requestId, reservationId: `r-0${rng.hex(16)}`, ownerId: acct, groupSet: {}, instancesSet: { items: instances } },
        });
      }
      case 'TerminateInstances': {
        const id = live.length > 0 ? live.splice(rng.int(0, live.length - 1), 1)[0]! : `i-0${rng.hex(16)}`;
        return record(rng, {
          ...base,
          requestParameters: { instancesSet: { items: [{ instanceId: id }] }, force: false, skipOsShutdown: false },
          responseElements: { requestId, instancesSet: { items: [{ instanceId: id, currentState: { code: 32, name: 'shutting-down' }, previousState: { code: 16, name: 'running' } }] } },
        });
      }
      case 'AllocateAddress': {
        const a = { allocationId: `eipalloc-0${rng.hex(16)}`, publicIp: rng.publicIp() };
        addresses.push(a);
        return record(rng, {
          ...base,
          requestParameters: { domain: 'vpc' },
          responseElements: { requestId, publicIp: a.publicIp, domain: 'vpc', allocationId: a.allocationId, networkBorderGroup: region, publicIpv4Pool: 'amazon' },
        });
      }
      case 'AssociateAddress': {
        const a = addresses.length > 0 ? rng.pick(addresses) : { allocationId: `eipalloc-0${rng.hex(16)}`, publicIp: rng.publicIp() };
        const instanceId = live.length > 0 ? rng.pick(live) : `i-0${rng.hex(16)}`;
        return record(rng, {
          ...base,
          requestParameters: { instanceId, allocationId: a.allocationId, allowReassociation: false },
          responseElements: { requestId, _return: true, associationId: `eipassoc-0${rng.hex(16)}` },
        });
      }
      case 'ReleaseAddress': {
        const a = addresses.length > 0 ? addresses.splice(rng.int(0, addresses.length - 1), 1)[0]! : { allocationId: `eipalloc-0${rng.hex(16)}` };
        return record(rng, { ...base, requestParameters: { allocationId: a.allocationId }, responseElements: { requestId, _return: true } });
      }
      case 'AuthorizeSecurityGroupIngress': {
        const port = rng.pick([22, 443, 80, 3389, 5432, 8080]);
        const cidr = rng.chance(0.3) ? '0.0.0.0/0' : `10.${rng.int(0, 255)}.0.0/16`;
        const ruleId = `sgr-0${rng.hex(16)}`;
        return record(rng, {
          ...base,
          requestParameters: { groupId: vpc.sg, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: port, toPort: port, groups: {}, ipRanges: { items: [{ cidrIp: cidr }] }, ipv6Ranges: {}, prefixListIds: {} }] } },
          responseElements: {
            requestId,
            _return: true,
            securityGroupRuleSet: {
              items: [{ groupOwnerId: acct, groupId: vpc.sg, securityGroupRuleId: ruleId, isEgress: false, ipProtocol: 'tcp', fromPort: port, toPort: port, cidrIpv4: cidr, securityGroupRuleArn: `arn:aws:ec2:${region}:${acct}:security-group-rule/${ruleId}` }],
            },
          },
        });
      }
      case 'CreateKeyPair': {
        const keyName = `${rng.pick(TEAMS)}-${rng.lower(6)}`;
        return record(rng, {
          ...base,
          requestParameters: { keyName, keyType: 'ed25519', keyFormat: 'pem' },
          responseElements: { requestId, keyName, keyFingerprint: Array.from({ length: 20 }, () => rng.hex(2)).join(':'), keyPairId: `key-0${rng.hex(16)}`, keyMaterial: '<sensitiveDataRemoved>' },
        });
      }
      case 'ModifyInstanceAttribute': {
        const instanceId = live.length > 0 ? rng.pick(live) : `i-0${rng.hex(16)}`;
        return record(rng, {
          ...base,
          requestParameters: rng.chance(0.5) ? { instanceId, disableApiTermination: { value: true } } : { instanceId, instanceType: { value: INSTANCE_TYPES.pick(rng) } },
          responseElements: { requestId, _return: true },
        });
      }
      case 'RequestSpotInstances': {
        const type = INSTANCE_TYPES.pick(rng);
        return record(rng, {
          ...base,
          requestParameters: { instanceCount: rng.int(1, 3), type: 'one-time', launchSpecification: { imageId: rng.pick(AMIS), instanceType: type, subnetId: vpc.subnet, monitoring: { enabled: false } } },
          responseElements: {
            requestId,
            spotInstanceRequestSet: { items: [{ spotInstanceRequestId: `sir-${rng.lower(8)}`, spotPrice: '0.192000', type: 'one-time', state: 'open', status: { code: 'pending-evaluation', updateTime: time, message: 'Your Spot request has been submitted for review, and is pending evaluation.' }, launchSpecification: { imageId: rng.pick(AMIS), instanceType: type }, createTime: time, productDescription: 'Linux/UNIX', instanceInterruptionBehavior: 'terminate' }] },
          },
        });
      }
      default:
        // Service Quotas: reading the EC2 on-demand vCPU limit.
        return record(rng, {
          ...base,
          eventVersion: '1.08',
          readOnly: true,
          requestParameters: { serviceCode: 'ec2', quotaCode: rng.pick(['L-1216C47A', 'L-DB2E81BA', 'L-34B43A08']) },
          responseElements: null,
        });
    }
  }
}
