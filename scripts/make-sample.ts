/**
 * Generates the bundled sample that `npm start` hunts: five days (Monday 12
 * to Friday 16 May 2025) of CloudTrail history of a three-account
 * organisation, written as CloudTrail delivers it to S3:
 *
 *   samples/trail/AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/
 *     <account>_CloudTrail_<region>_<yyyymmdd>T<hhmm>Z_<random>.json.gz
 *
 * one gzip file of `{"Records":[...]}` per account and region every two
 * hours (see FILE_HOURS), about 270 files and 3,800 records, 650 KB.
 *
 * Usage:
 *   npx tsx scripts/make-sample.ts                    rewrite samples/trail
 *   npx tsx scripts/make-sample.ts --out DIR          write DIR/AWSLogs/... instead
 *   npx tsx scripts/make-sample.ts --background-only  leave the attack out
 *
 * Only `<out>/AWSLogs` is replaced; samples/config.yaml and samples/feeds
 * are written by hand and are not touched.
 *
 * The output is a pure function of this file: every random choice comes
 * from a PRNG seeded with the name of the story it belongs to (so editing
 * one story never reshuffles another), times are fixed, and gzip headers
 * carry mtime 0. test/samples.test.ts regenerates the sample and fails if
 * the committed files differ from what this script writes.
 *
 * The story, which the test holds the engine to:
 *
 * Benign background, from day 1, in us-east-1 and eu-west-1 of every
 * account: read noise (a monitoring poller, application roles reading S3 and
 * KMS, role refreshes by EC2 and Lambda, people browsing the console),
 * Auto Scaling scale-outs and scale-ins in prod, a CI role (ci-deployer)
 * that launches a tagged t3/m6i integration environment in dev every morning
 * and tears it down in the afternoon, a developer launching two m5.large from
 * the console, a network admin allocating and associating one Elastic IP,
 * Terraform adding a 443-from-anywhere rule and private-range rules, an
 * admin reading and raising a Lambda quota, and a sandbox developer whose
 * console launches lack the business tags. Every account launches in both
 * home regions on day 1, so that with no configuration the learned region
 * baseline (24 hours of learning) already knows them when the attack comes.
 *
 * The attack, day 4 (Thursday 15 May) from 02:07 UTC: the long-term access
 * key of svc-reporting, an old IAM user of the dev account with far too much
 * access, used from a VPS (203.0.113.47) with a Python SDK the organisation
 * does not use. Recon, EC2 quota reads, a quota increase request, a dry run,
 * RunInstances denied (iam:PassRole) and over the vCPU limit in us-east-1;
 * then it enables the opt-in region ap-southeast-3, creates a key pair and
 * an SSH-from-anywhere security group, launches 30 GPU instances (344
 * vCPUs) and six spot requests, takes three Elastic IPs and swaps one for a
 * fresh address minutes later, protects instances from termination and
 * rewrites the user data of one. At 04:31 it assumes a role into the sandbox
 * account from a second address (198.51.100.23, inside a range on the
 * threat-intel feed) and starts two CPU instances there.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

// ---------------------------------------------------------------------------
// Deterministic randomness and identifiers
// ---------------------------------------------------------------------------

const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** sfc32, seeded from SHA-256 of a name. Never Math.random: the sample must be the same on every run. */
class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const h = createHash('sha256').update(seed).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    // The first outputs still echo the seed; discard them.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  chars(alphabet: string, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  hex(length: number): string {
    return this.chars(HEX, length);
  }

  /** A version 4 UUID, the shape of eventID and most requestIDs. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20)}`;
  }
}

/** Names repeat on every record of a session or network: hash each once. */
const DIGESTS = new Map<string, Buffer>();
function digest(text: string): Buffer {
  let d = DIGESTS.get(text);
  if (!d) {
    d = createHash('sha256').update(text).digest();
    DIGESTS.set(text, d);
  }
  return d;
}

/** A stable identifier derived from a name (resources that exist before the sample starts). */
function stableHex(name: string, length: number): string {
  return digest(name).toString('hex').slice(0, length);
}

function stableChars(name: string, alphabet: string, length: number): string {
  const bytes = digest(name);
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[bytes[i % bytes.length]! % alphabet.length];
  return s;
}

/** `vpc-0123...`: EC2 ids are a prefix and 17 hex digits. */
const ec2Id = (prefix: string, name: string): string => `${prefix}-0${stableHex(`${prefix}/${name}`, 16)}`;
/** Unique ids of roles (AROA...) and users (AIDA...) are 21 characters. */
const uniqueId = (prefix: 'AROA' | 'AIDA', arn: string): string => prefix + stableChars(arn, BASE32, 17);
/** Temporary keys start ASIA, long-term keys AKIA; 20 characters. */
const sessionKey = (name: string): string => `ASIA${stableChars(name, BASE32, 16)}`;

// ---------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 12 May 2025, 00:00 UTC: day 1 of the sample. */
const DAY0 = Date.UTC(2025, 4, 12);
const DAYS = [1, 2, 3, 4, 5] as const;

/** `at(4, '02:07:13')`: a time on day 1-5, UTC. */
function at(day: number, clock: string): number {
  const [h = 0, m = 0, s = 0] = clock.split(':').map(Number);
  return DAY0 + (day - 1) * DAY + h * HOUR + m * MIN + s * SEC;
}

/** CloudTrail writes whole seconds: 2025-05-15T02:07:13Z. */
function iso(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------
// The organisation
// ---------------------------------------------------------------------------

const PROD = '111111111111';
const DEV = '222222222222';
const SANDBOX = '333333333333';
const ACCOUNTS = [PROD, DEV, SANDBOX] as const;
const HOME_REGIONS = ['us-east-1', 'eu-west-1'] as const;

const ACCOUNT_NAME: Record<string, string> = { [PROD]: 'prod', [DEV]: 'dev', [SANDBOX]: 'sandbox' };

/**
 * Addresses. People and on-premises jobs egress through the office and VPN
 * (192.0.2.0/24, documentation space); workloads inside AWS reach the APIs
 * through VPC interface endpoints, so CloudTrail shows their private
 * address and the endpoint id. The attacker's two VPS addresses are in the
 * other documentation ranges.
 */
const OFFICE_IP = '192.0.2.10';
const VPN_IP = '192.0.2.11';
const REPORTING_SERVER_IP = '192.0.2.50';
const ATTACKER_IP = '203.0.113.47';
const ATTACKER_SANDBOX_IP = '198.51.100.23';
const ATTACK_REGION = 'ap-southeast-3';

/** Who works where, and from which address. */
const PEOPLE = {
  alice: { email: 'alice@example.com', account: DEV, permissionSet: 'Developer', ip: VPN_IP },
  carol: { email: 'carol@example.com', account: SANDBOX, permissionSet: 'Developer', ip: OFFICE_IP },
  erin: { email: 'erin@example.com', account: PROD, permissionSet: 'ReadOnly', ip: OFFICE_IP },
  dana: { email: 'dana@example.com', account: PROD, permissionSet: 'AdministratorAccess', ip: OFFICE_IP },
  bob: { email: 'bob@example.com', account: PROD, permissionSet: 'NetworkAdmin', ip: OFFICE_IP },
} as const;
type Person = (typeof PEOPLE)[keyof typeof PEOPLE];

const BROWSER_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36';
const CONSOLE_UA = 'AWS Internal';
const CI_UA = 'aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.24.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.212.0 m/E,g';
const TERRAFORM_UA = 'APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io) terraform-provider-aws/5.97.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.24.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.212.0 m/C';
const POLLER_UA = 'Boto3/1.37.3 md/Botocore#1.37.3 ua/2.1 os/linux#5.10.236-247.941.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.9 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.37.3';
const JAVA_UA = 'aws-sdk-java/2.31.21 md/io#sync md/http#Apache ua/2.1 os/Linux#5.14.0-503.el9.x86_64 lang/java#17.0.14 md/OpenJDK_64-Bit_Server_VM#17.0.14+7-LTS md/vendor#Red_Hat,_Inc. md/en_US m/D,N';
const APP_UA = 'aws-sdk-nodejs/2.1692.0 linux/v20.19.1 exec-env/AWS_ECS_EC2 promise';
/** The attacker's tooling: an old Python on a rented Ubuntu box, nothing the organisation runs. */
const ATTACKER_UA = 'Boto3/1.34.106 md/Botocore#1.34.106 ua/2.0 os/linux#5.15.0-107-generic md/arch#x86_64 lang/python#3.8.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.106';

/** A VPC, its subnets and the groups launches use: fixed resources that predate the sample. */
interface Network {
  readonly vpcId: string;
  readonly subnets: readonly Subnet[];
  readonly groups: Readonly<Record<string, GroupRef>>;
}
interface Subnet {
  readonly id: string;
  readonly az: string;
  /** First three octets of the subnet's /24. */
  readonly prefix: string;
}
interface GroupRef {
  readonly id: string;
  readonly name: string;
}

const SECOND_OCTET: Record<string, number> = { [`${PROD}/us-east-1`]: 20, [`${PROD}/eu-west-1`]: 21, [`${DEV}/us-east-1`]: 40, [`${DEV}/eu-west-1`]: 41, [`${SANDBOX}/us-east-1`]: 60, [`${SANDBOX}/eu-west-1`]: 61 };

const NETWORKS = new Map<string, Network>();
function network(account: string, region: string): Network {
  const key = `${account}/${region}`;
  const known = NETWORKS.get(key);
  if (known) return known;
  const octet = SECOND_OCTET[key];
  // Opt-in regions nobody uses only have the default VPC (172.31.0.0/16).
  const base = octet === undefined ? '172.31' : `10.${octet}`;
  const subnets = ['a', 'b', 'c'].map((zone, i) => ({ id: ec2Id('subnet', `${key}/${zone}`), az: `${region}${zone}`, prefix: `${base}.${octet === undefined ? i * 16 : i + 1}` }));
  const group = (name: string): GroupRef => ({ id: ec2Id('sg', `${key}/${name}`), name });
  const net = { vpcId: ec2Id('vpc', key), subnets, groups: { default: group('default'), web: group('web-instances'), ci: group('ci-integration'), dev: group('dev-workstations'), sftp: group('sftp-partner') } };
  NETWORKS.set(key, net);
  return net;
}

function subnetOf(net: Network, index: number): Subnet {
  const s = net.subnets[index % net.subnets.length];
  if (!s) throw new RangeError('network without subnets');
  return s;
}

function groupOf(net: Network, name: string): GroupRef {
  const g = net.groups[name];
  if (!g) throw new RangeError(`no security group ${name}`);
  return g;
}

/** The organisation's golden images; the attacker uses a public Ubuntu image. */
const IMAGES: Record<string, string> = {
  [`${PROD}/us-east-1`]: ec2Id('ami', 'prod/us-east-1/web-2025-05-02'),
  [`${PROD}/eu-west-1`]: ec2Id('ami', 'prod/eu-west-1/web-2025-05-02'),
  [`${DEV}/us-east-1`]: ec2Id('ami', 'dev/us-east-1/al2023-base'),
  [`${DEV}/eu-west-1`]: ec2Id('ami', 'dev/eu-west-1/al2023-base'),
  [`${SANDBOX}/us-east-1`]: ec2Id('ami', 'sandbox/us-east-1/al2023'),
  [`${SANDBOX}/eu-west-1`]: ec2Id('ami', 'sandbox/eu-west-1/al2023'),
};

function imageOf(account: string, region: string): string {
  const image = IMAGES[`${account}/${region}`];
  if (!image) throw new RangeError(`no image for ${account}/${region}`);
  return image;
}

/** Physical cores x threads per core, as RunInstances reports cpuOptions. */
const CPU: Record<string, readonly [number, number]> = {
  't3.micro': [1, 2],
  't3.small': [1, 2],
  't3.medium': [1, 2],
  'm5.large': [1, 2],
  'm6i.large': [1, 2],
  'c5.4xlarge': [8, 2],
  'g4dn.xlarge': [2, 2],
  'g4dn.2xlarge': [4, 2],
  'g4dn.4xlarge': [8, 2],
  'g4dn.12xlarge': [24, 2],
  'p3.8xlarge': [16, 2],
  'p3.16xlarge': [32, 2],
};

// ---------------------------------------------------------------------------
// Callers (userIdentity, source address, user agent)
// ---------------------------------------------------------------------------

type Json = Record<string, unknown>;

interface Caller {
  readonly identity: Json;
  readonly ip: string;
  readonly ua: string;
  /** An AWS service calling for itself: no TLS details. */
  readonly service?: boolean;
  /** A console session: CloudTrail marks it sessionCredentialFromConsole. */
  readonly console?: boolean;
  /** Reached the API through this VPC interface endpoint. */
  readonly vpce?: string;
}

interface RoleSession {
  readonly account: string;
  readonly role: string;
  /** IAM path, e.g. `aws-reserved/sso.amazonaws.com/` or `aws-service-role/autoscaling.amazonaws.com/`. */
  readonly path?: string;
  readonly session: string;
  readonly created: number;
  readonly invokedBy?: string;
}

function roleArn(account: string, role: string, rolePath = ''): string {
  return `arn:aws:iam::${account}:role/${rolePath}${role}`;
}

function assumedRole(s: RoleSession): Json {
  const issuer = roleArn(s.account, s.role, s.path);
  const roleId = uniqueId('AROA', issuer);
  const identity: Json = {
    type: 'AssumedRole',
    principalId: `${roleId}:${s.session}`,
    arn: `arn:aws:sts::${s.account}:assumed-role/${s.role}/${s.session}`,
    accountId: s.account,
  };
  if (!s.invokedBy) identity.accessKeyId = sessionKey(`${issuer}/${s.session}/${s.created}`);
  identity.sessionContext = {
    sessionIssuer: { type: 'Role', principalId: roleId, arn: issuer, accountId: s.account, userName: s.role },
    attributes: { creationDate: iso(s.created), mfaAuthenticated: 'false' },
  };
  if (s.invokedBy) identity.invokedBy = s.invokedBy;
  return identity;
}

/** IAM Identity Center permission sets become roles under aws-reserved/sso.amazonaws.com/. */
function ssoRoleName(person: Person): string {
  return `AWSReservedSSO_${person.permissionSet}_${stableHex(`sso/${person.account}/${person.permissionSet}`, 16)}`;
}

function consoleCaller(person: Person, signedIn: number): Caller {
  return {
    identity: assumedRole({ account: person.account, role: ssoRoleName(person), path: 'aws-reserved/sso.amazonaws.com/', session: person.email, created: signedIn }),
    ip: person.ip,
    ua: CONSOLE_UA,
    console: true,
  };
}

/** A service such as ec2.amazonaws.com acting for itself (role refreshes for instance profiles, Lambda). */
function serviceCaller(service: string): Caller {
  return { identity: { type: 'AWSService', invokedBy: service }, ip: service, ua: service, service: true };
}

const SVC_REPORTING = { account: DEV, user: 'svc-reporting', key: 'AKIAT4EXAMPLEKEY7Q2M' } as const;

function iamUser(account: string, user: string, key: string): Json {
  const arn = `arn:aws:iam::${account}:user/${user}`;
  return { type: 'IAMUser', principalId: uniqueId('AIDA', arn), arn, accountId: account, accessKeyId: key, userName: user };
}

function vpce(account: string, region: string, service: string): string {
  return ec2Id('vpce', `${account}/${region}/${service}`);
}

// ---------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------

interface Emitted {
  readonly account: string;
  readonly region: string;
  readonly time: number;
  readonly record: Json;
}

interface Call {
  readonly t: number;
  readonly account: string;
  readonly region: string;
  readonly caller: Caller;
  /** Service short name: `ec2` becomes `ec2.amazonaws.com`. */
  readonly service: string;
  readonly name: string;
  readonly req?: Json | null;
  /** The response; a function receives the requestID, which EC2 echoes as `requestId`. */
  readonly res?: Json | null | ((requestId: string) => Json);
  readonly error?: readonly [code: string, message: string];
  readonly readOnly?: boolean;
  readonly resources?: readonly Json[];
  readonly additional?: Json;
  /** S3 object-level calls are data events. */
  readonly data?: boolean;
  readonly eventType?: 'AwsApiCall' | 'AwsConsoleSignIn';
  /** The same call recorded in two accounts (cross-account AssumeRole) shares this id. */
  readonly shared?: string;
}

const READ_ONLY = /^(Describe|Get|List|Lookup|Head|Filter|Search)/;
/** Services whose API host has no region (their events are recorded in us-east-1). */
const GLOBAL_HOSTS: Record<string, string> = { iam: 'iam.amazonaws.com', signin: 'signin.aws.amazon.com' };

/** A named, independently seeded stream of events. */
class Story {
  readonly rng: Rng;

  constructor(
    name: string,
    private readonly out: Emitted[],
  ) {
    this.rng = new Rng(name);
  }

  call(c: Call): Json {
    const source = c.service === 'signin' ? 'signin.amazonaws.com' : `${c.service}.amazonaws.com`;
    const requestId = c.service === 's3' ? this.rng.chars('0123456789ABCDEF', 16) : this.rng.uuid();
    const record: Json = {
      eventVersion: c.eventType === 'AwsConsoleSignIn' ? '1.09' : '1.10',
      userIdentity: c.caller.identity,
      eventTime: iso(c.t),
      eventSource: source,
      eventName: c.name,
      awsRegion: c.region,
      sourceIPAddress: c.caller.ip,
      userAgent: c.caller.ua,
    };
    if (c.error) {
      record.errorCode = c.error[0];
      record.errorMessage = c.error[1];
    }
    record.requestParameters = c.req ?? null;
    record.responseElements = typeof c.res === 'function' ? (c.error ? null : c.res(requestId)) : (c.res ?? null);
    if (c.additional) record.additionalEventData = c.additional;
    // Console sign-in events carry no request id.
    if (c.eventType !== 'AwsConsoleSignIn') record.requestID = requestId;
    record.eventID = this.rng.uuid();
    record.readOnly = c.readOnly ?? READ_ONLY.test(c.name);
    if (c.resources) record.resources = c.resources;
    record.eventType = c.eventType ?? 'AwsApiCall';
    record.managementEvent = !c.data;
    record.recipientAccountId = c.account;
    if (c.shared) record.sharedEventID = c.shared;
    if (c.caller.vpce) record.vpcEndpointId = c.caller.vpce;
    record.eventCategory = c.data ? 'Data' : 'Management';
    if (!c.caller.service) {
      // S3 is addressed per bucket (virtual-hosted style), as its Host parameter says.
      const s3Host = c.service === 's3' && typeof c.req?.Host === 'string' ? c.req.Host : undefined;
      const host = s3Host ?? GLOBAL_HOSTS[c.service] ?? (c.service === 'sts' && c.region === 'us-east-1' ? 'sts.amazonaws.com' : `${c.service}.${c.region}.amazonaws.com`);
      record.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: host };
    }
    if (c.caller.console) record.sessionCredentialFromConsole = 'true';
    this.out.push({ account: c.account, region: c.region, time: c.t, record });
    return record;
  }

  /** Several read calls a few seconds apart, as a console page or an SDK waiter makes them; returns the time after the last. */
  reads(t: number, account: string, region: string, caller: Caller, calls: readonly ReadCall[], gap: readonly [number, number] = [1, 6]): number {
    let now = t;
    for (const [service, name] of calls) {
      this.call({ t: now, account, region, caller, service, name, req: readRequest(service, name, account, region, now) });
      now += this.rng.int(gap[0], gap[1]) * SEC;
    }
    return now;
  }
}

type ReadCall = readonly [service: string, name: string];

/** Plausible request parameters for the read calls of the background. */
function readRequest(service: string, name: string, account: string, region: string, t: number): Json | null {
  switch (`${service}:${name}`) {
    case 'ec2:DescribeInstances':
      return { instancesSet: {}, filterSet: {} };
    case 'ec2:DescribeInstanceStatus':
      return { instancesSet: {}, filterSet: {}, includeAllInstances: true };
    case 'ec2:DescribeVolumes':
      return { volumeSet: {}, filterSet: {} };
    case 'ec2:DescribeSecurityGroups':
      return { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} };
    case 'ec2:DescribeSubnets':
      return { subnetSet: {}, filterSet: {} };
    case 'ec2:DescribeVpcs':
      return { vpcSet: {}, filterSet: {} };
    case 'ec2:DescribeAddresses':
      return { publicIpsSet: {}, allocationIdsSet: {}, filterSet: {} };
    case 'ec2:DescribeKeyPairs':
      return { keySet: {}, keyPairIdSet: {}, filterSet: {} };
    case 'ec2:DescribeImages':
      return { executableBySet: {}, imagesSet: {}, ownersSet: { items: [{ owner: 'self' }] }, filterSet: {} };
    case 'ec2:DescribeInstanceTypes':
      return { instanceTypeSet: {}, filterSet: {} };
    case 'ec2:DescribeRouteTables':
      return { routeTableIdSet: {}, filterSet: {} };
    case 'ec2:DescribeNatGateways':
      return { natGatewayIdSet: {}, filterSet: {} };
    case 'ec2:DescribeRegions':
      return { regionSet: {}, allRegions: true };
    case 'ec2:DescribeAvailabilityZones':
      return { availabilityZoneSet: {}, availabilityZoneIdSet: {} };
    case 'monitoring:GetMetricData':
      return { startTime: iso(t - 3 * HOUR), endTime: iso(t), maxDatapoints: 1440 };
    case 'monitoring:DescribeAlarms':
      return { maxRecords: 100, alarmTypes: ['CompositeAlarm', 'MetricAlarm'] };
    case 'logs:DescribeLogGroups':
      return { limit: 50 };
    case 's3:ListBuckets':
      return { Host: 's3.amazonaws.com' };
    case 's3:GetBucketLocation':
    case 's3:GetBucketPolicy':
    case 's3:GetBucketVersioning':
      return { bucketName: `acme-${ACCOUNT_NAME[account] ?? account}-artifacts`, Host: `acme-${ACCOUNT_NAME[account] ?? account}-artifacts.s3.${region}.amazonaws.com`, [name.slice(9).toLowerCase()]: '' };
    case 'lambda:ListFunctions20150331':
      return { functionVersion: 'ALL', maxItems: 50 };
    case 'autoscaling:DescribeAutoScalingGroups':
      return { maxRecords: 50 };
    case 'cloudtrail:LookupEvents':
      return { maxResults: 50 };
    case 'sts:GetCallerIdentity':
      return null;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------
// EC2 calls the engine reads
// ---------------------------------------------------------------------------

interface Launch {
  readonly t: number;
  readonly account: string;
  readonly region: string;
  readonly caller: Caller;
  readonly instanceType: string;
  readonly count: number;
  readonly image: string;
  readonly subnet: Subnet;
  readonly vpcId: string;
  readonly group: GroupRef;
  readonly keyName?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Auto Scaling launches from a launch template; the type comes from the template. */
  readonly template?: { readonly id: string; readonly version: string };
  readonly instanceProfile?: string;
  readonly userData?: boolean;
  /** IMDSv2 is enforced by the organisation's templates and images; a public image leaves it optional. */
  readonly imdsTokens?: 'required' | 'optional';
  readonly error?: readonly [string, string];
}

function tagList(tags: Readonly<Record<string, string>>): Json[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function privateDns(ip: string, region: string): string {
  return `ip-${ip.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
}

/** RunInstances as CloudTrail records it; returns the ids of the instances started (none on error). */
function runInstances(s: Story, l: Launch): string[] {
  const rng = s.rng;
  const clientToken = rng.uuid();
  const tags = l.tags ? tagList(l.tags) : undefined;
  const req: Json = l.template
    ? { instancesSet: { items: [{ minCount: 1, maxCount: 1 }] }, launchTemplate: { launchTemplateId: l.template.id, version: l.template.version } }
    : {
        instancesSet: { items: [{ imageId: l.image, minCount: l.count, maxCount: l.count, ...(l.keyName ? { keyName: l.keyName } : {}) }] },
        groupSet: { items: [{ groupId: l.group.id }] },
        instanceType: l.instanceType,
        ...(l.userData ? { userData: '<sensitiveDataRemoved>' } : {}),
        blockDeviceMapping: {},
        monitoring: { enabled: false },
        disableApiTermination: false,
        disableApiStop: false,
      };
  req.subnetId = l.subnet.id;
  req.clientToken = clientToken;
  if (l.instanceProfile) req.iamInstanceProfile = { name: l.instanceProfile };
  if (tags) {
    req.tagSpecificationSet = {
      items: [
        { resourceType: 'instance', tags },
        { resourceType: 'volume', tags },
      ],
    };
  }
  // The organisation's tooling asks for IMDSv2 explicitly; the attacker takes whatever the image defaults to.
  if (l.imdsTokens === 'required' && !l.template) req.metadataOptions = { httpTokens: 'required' };

  const ids: string[] = [];
  const items: Json[] = [];
  const [cores, threads] = CPU[l.instanceType] ?? [1, 2];
  if (!l.error) {
    for (let i = 0; i < l.count; i++) {
      const id = `i-0${rng.hex(16)}`;
      ids.push(id);
      const ip = `${l.subnet.prefix}.${rng.int(4, 250)}`;
      const eni = `eni-0${rng.hex(16)}`;
      const group = { items: [{ groupId: l.group.id, groupName: l.group.name }] };
      items.push({
        instanceId: id,
        imageId: l.image,
        currentInstanceBootMode: 'legacy-bios',
        instanceState: { code: 0, name: 'pending' },
        privateDnsName: privateDns(ip, l.region),
        ...(l.keyName ? { keyName: l.keyName } : {}),
        amiLaunchIndex: i,
        productCodes: {},
        instanceType: l.instanceType,
        launchTime: l.t,
        placement: { availabilityZone: l.subnet.az, tenancy: 'default' },
        monitoring: { state: 'disabled' },
        subnetId: l.subnet.id,
        vpcId: l.vpcId,
        privateIpAddress: ip,
        stateReason: { code: 'pending', message: 'pending' },
        architecture: 'x86_64',
        rootDeviceType: 'ebs',
        rootDeviceName: '/dev/xvda',
        blockDeviceMapping: {},
        virtualizationType: 'hvm',
        hypervisor: 'xen',
        ...(tags ? { tagSet: { items: tags } } : {}),
        clientToken,
        groupSet: group,
        sourceDestCheck: true,
        networkInterfaceSet: {
          items: [
            {
              networkInterfaceId: eni,
              subnetId: l.subnet.id,
              vpcId: l.vpcId,
              ownerId: l.account,
              status: 'in-use',
              macAddress: `0e:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}`,
              privateIpAddress: ip,
              privateDnsName: privateDns(ip, l.region),
              sourceDestCheck: true,
              interfaceType: 'interface',
              groupSet: group,
              attachment: { attachmentId: `eni-attach-0${rng.hex(16)}`, deviceIndex: 0, networkCardIndex: 0, status: 'attaching', attachTime: l.t, deleteOnTermination: true },
              privateIpAddressesSet: { item: [{ privateIpAddress: ip, privateDnsName: privateDns(ip, l.region), primary: true }] },
              ipv6AddressesSet: {},
              tagSet: {},
            },
          ],
        },
        ebsOptimized: !l.instanceType.startsWith('t3'),
        enaSupport: true,
        cpuOptions: { coreCount: cores, threadsPerCore: threads },
        capacityReservationSpecification: { capacityReservationPreference: 'open' },
        enclaveOptions: { enabled: false },
        metadataOptions: { state: 'pending', httpTokens: l.imdsTokens ?? 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled', httpProtocolIpv4: 'enabled', httpProtocolIpv6: 'disabled', instanceMetadataTags: 'disabled' },
        maintenanceOptions: { autoRecovery: 'default' },
      });
    }
  }
  s.call({
    t: l.t,
    account: l.account,
    region: l.region,
    caller: l.caller,
    service: 'ec2',
    name: 'RunInstances',
    req,
    res: (requestId) => ({ requestId, reservationId: `r-0${rng.hex(16)}`, ownerId: l.account, groupSet: {}, instancesSet: { items } }),
    ...(l.error ? { error: l.error } : {}),
  });
  return ids;
}

function terminateInstances(s: Story, t: number, account: string, region: string, caller: Caller, ids: readonly string[]): void {
  s.call({
    t,
    account,
    region,
    caller,
    service: 'ec2',
    name: 'TerminateInstances',
    req: { instancesSet: { items: ids.map((instanceId) => ({ instanceId })) } },
    res: (requestId) => ({
      requestId,
      instancesSet: { items: ids.map((instanceId) => ({ instanceId, currentState: { code: 32, name: 'shutting-down' }, previousState: { code: 16, name: 'running' } })) },
    }),
  });
}

function stateChange(s: Story, t: number, account: string, region: string, caller: Caller, name: 'StopInstances' | 'StartInstances', id: string): void {
  const [from, to] = name === 'StopInstances' ? [{ code: 16, name: 'running' }, { code: 64, name: 'stopping' }] : [{ code: 80, name: 'stopped' }, { code: 0, name: 'pending' }];
  s.call({
    t,
    account,
    region,
    caller,
    service: 'ec2',
    name,
    req: { instancesSet: { items: [{ instanceId: id }] }, ...(name === 'StopInstances' ? { force: false } : {}) },
    res: (requestId) => ({ requestId, instancesSet: { items: [{ instanceId: id, currentState: to, previousState: from }] } }),
  });
}

interface Allocation {
  readonly allocationId: string;
  readonly publicIp: string;
}

function allocateAddress(s: Story, t: number, account: string, region: string, caller: Caller, publicIp: string, tags?: Readonly<Record<string, string>>): Allocation {
  const allocationId = `eipalloc-0${s.rng.hex(16)}`;
  s.call({
    t,
    account,
    region,
    caller,
    service: 'ec2',
    name: 'AllocateAddress',
    req: { domain: 'vpc', ...(tags ? { tagSpecificationSet: { items: [{ resourceType: 'elastic-ip', tags: tagList(tags) }] } } : {}) },
    res: (requestId) => ({ requestId, publicIp, domain: 'vpc', allocationId, networkBorderGroup: region, publicIpv4Pool: 'amazon' }),
  });
  return { allocationId, publicIp };
}

function associateAddress(s: Story, t: number, account: string, region: string, caller: Caller, allocationId: string, instanceId: string): string {
  const associationId = `eipassoc-0${s.rng.hex(16)}`;
  s.call({
    t,
    account,
    region,
    caller,
    service: 'ec2',
    name: 'AssociateAddress',
    req: { allocationId, instanceId, allowReassociation: false },
    res: (requestId) => ({ requestId, _return: true, associationId }),
  });
  return associationId;
}

interface Permission {
  readonly protocol: 'tcp' | 'udp' | '-1';
  readonly from: number;
  readonly to: number;
  readonly v4?: readonly string[];
  readonly v6?: readonly string[];
  readonly description?: string;
}

function authorizeIngress(s: Story, t: number, account: string, region: string, caller: Caller, groupId: string, perms: readonly Permission[]): void {
  const rules: Json[] = [];
  for (const p of perms) {
    for (const cidr of [...(p.v4 ?? []), ...(p.v6 ?? [])]) {
      rules.push({
        groupOwnerId: account,
        isEgress: false,
        ipProtocol: p.protocol,
        fromPort: p.from,
        toPort: p.to,
        [cidr.includes(':') ? 'cidrIpv6' : 'cidrIpv4']: cidr,
        ...(p.description ? { description: p.description } : {}),
        securityGroupRuleId: `sgr-0${s.rng.hex(16)}`,
        groupId,
      });
    }
  }
  s.call({
    t,
    account,
    region,
    caller,
    service: 'ec2',
    name: 'AuthorizeSecurityGroupIngress',
    req: {
      groupId,
      ipPermissions: {
        items: perms.map((p) => ({
          ipProtocol: p.protocol,
          fromPort: p.from,
          toPort: p.to,
          groups: {},
          ipRanges: p.v4?.length ? { items: p.v4.map((cidrIp) => ({ cidrIp, ...(p.description ? { description: p.description } : {}) })) } : {},
          ipv6Ranges: p.v6?.length ? { items: p.v6.map((cidrIpv6) => ({ cidrIpv6, ...(p.description ? { description: p.description } : {}) })) } : {},
          prefixListIds: {},
        })),
      },
    },
    res: (requestId) => ({ requestId, _return: true, securityGroupRuleSet: { items: rules } }),
  });
}

function createSecurityGroup(s: Story, t: number, account: string, region: string, caller: Caller, name: string, description: string, vpcId: string): string {
  const groupId = `sg-0${s.rng.hex(16)}`;
  s.call({
    t,
    account,
    region,
    caller,
    service: 'ec2',
    name: 'CreateSecurityGroup',
    req: { groupName: name, groupDescription: description, vpcId },
    res: (requestId) => ({ requestId, _return: true, groupId, securityGroupArn: `arn:aws:ec2:${region}:${account}:security-group/${groupId}` }),
  });
  return groupId;
}

function createKeyPair(s: Story, t: number, account: string, region: string, caller: Caller, keyName: string): void {
  const fingerprint = Array.from({ length: 20 }, () => s.rng.hex(2)).join(':');
  s.call({
    t,
    account,
    region,
    caller,
    service: 'ec2',
    name: 'CreateKeyPair',
    req: { keyName, keyType: 'rsa', keyFormat: 'pem' },
    res: (requestId) => ({ requestId, keyName, keyFingerprint: fingerprint, keyMaterial: '<sensitiveDataRemoved>', keyPairId: `key-0${s.rng.hex(16)}` }),
  });
}

function modifyInstanceAttribute(s: Story, t: number, account: string, region: string, caller: Caller, instanceId: string, change: Json): void {
  s.call({ t, account, region, caller, service: 'ec2', name: 'ModifyInstanceAttribute', req: { instanceId, ...change }, res: (requestId) => ({ requestId, _return: true }) });
}

// ---------------------------------------------------------------------------
// STS, sign-in, Service Quotas
// ---------------------------------------------------------------------------

/** AssumeRole by a service for a workload role (instance profile refresh, Lambda cold start). */
function serviceAssumesRole(s: Story, t: number, account: string, region: string, service: string, role: string, session: string): void {
  const arn = roleArn(account, role);
  s.call({
    t,
    account,
    region,
    caller: serviceCaller(service),
    service: 'sts',
    name: 'AssumeRole',
    req: { roleArn: arn, roleSessionName: session },
    res: {
      credentials: { accessKeyId: sessionKey(`${arn}/${session}/${t}`), expiration: iso(t + 6 * HOUR) },
      assumedRoleUser: { assumedRoleId: `${uniqueId('AROA', arn)}:${session}`, arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}` },
    },
    resources: [{ accountId: account, type: 'AWS::IAM::Role', ARN: arn }],
  });
}

/** SSO console sign-in: the session every later console call of the day belongs to. */
function consoleLogin(s: Story, t: number, person: Person): Caller {
  const caller = consoleCaller(person, t);
  s.call({
    t,
    account: person.account,
    region: 'us-east-1',
    caller: { ...caller, ua: BROWSER_UA, console: false },
    service: 'signin',
    name: 'ConsoleLogin',
    req: null,
    res: { ConsoleLogin: 'Success' },
    additional: { MobileVersion: 'No', MFAUsed: 'No' },
    eventType: 'AwsConsoleSignIn',
    readOnly: false,
  });
  return caller;
}

/** GitHub Actions exchanging its OIDC token for a role session. */
function assumeRoleWithWebIdentity(s: Story, t: number, account: string, region: string, role: string, session: string, ip: string, repo: string): Caller {
  const arn = roleArn(account, role);
  const provider = `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
  const subject = `repo:${repo}:ref:refs/heads/main`;
  s.call({
    t,
    account,
    region,
    caller: { identity: { type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:${subject}`, userName: subject, identityProvider: provider }, ip, ua: CI_UA, vpce: vpce(account, region, 'sts') },
    service: 'sts',
    name: 'AssumeRoleWithWebIdentity',
    req: { roleArn: arn, roleSessionName: session, durationSeconds: 3600 },
    res: {
      credentials: { accessKeyId: sessionKey(`${arn}/${session}/${t}`), expiration: iso(t + HOUR) },
      subjectFromWebIdentityToken: subject,
      assumedRoleUser: { assumedRoleId: `${uniqueId('AROA', arn)}:${session}`, arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}` },
      provider,
      audience: 'sts.amazonaws.com',
    },
    resources: [{ accountId: account, type: 'AWS::IAM::Role', ARN: arn }],
  });
  return { identity: assumedRole({ account, role, session, created: t }), ip, ua: CI_UA, vpce: vpce(account, region, 'ec2') };
}

function quotaCall(s: Story, t: number, account: string, region: string, caller: Caller, name: string, serviceCode: string, quotaCode?: string, desiredValue?: number): void {
  const req: Json = { serviceCode, ...(quotaCode ? { quotaCode } : {}), ...(desiredValue !== undefined ? { desiredValue } : {}) };
  const res =
    name === 'RequestServiceQuotaIncrease' && quotaCode && desiredValue !== undefined
      ? {
          requestedQuota: {
            id: s.rng.hex(32),
            serviceCode,
            quotaCode,
            desiredValue,
            status: 'PENDING',
            created: iso(t),
            requester: JSON.stringify({ accountId: account, callerArn: caller.identity.arn }),
            quotaArn: `arn:aws:servicequotas:${region}:${account}:${serviceCode}/${quotaCode}`,
            globalQuota: false,
            unit: 'None',
          },
        }
      : null;
  s.call({ t, account, region, caller, service: 'servicequotas', name, req, res });
}

// ---------------------------------------------------------------------------
// Background stories
// ---------------------------------------------------------------------------

/**
 * An observability Lambda polls inventory and metrics: every hour in prod,
 * and in dev and sandbox only during the working day (their schedules stop
 * overnight to save money), which is why those accounts are silent at night.
 */
function monitoringPoller(out: Emitted[]): void {
  for (const account of ACCOUNTS) {
    for (const region of HOME_REGIONS) {
      const s = new Story(`poller/${account}/${region}`, out);
      for (let hour = 0; hour < DAYS.length * 24; hour++) {
        const clock = hour % 24;
        if (account !== PROD && (clock < 7 || clock > 19 || clock % 2 === 0)) continue;
        const t = DAY0 + hour * HOUR + s.rng.int(1, 4) * MIN + s.rng.int(0, 59) * SEC;
        const session = 'observability-poller';
        // A cold start now and then: Lambda assumes the function's role.
        if (hour % 6 === 1) serviceAssumesRole(s, t - 2 * SEC, account, region, 'lambda.amazonaws.com', 'observability-poller', session);
        const caller: Caller = {
          identity: assumedRole({ account, role: 'observability-poller', session, created: DAY0 + (Math.floor(hour / 6) * 6 + 1) * HOUR }),
          ip: `10.${SECOND_OCTET[`${account}/${region}`] ?? 0}.3.${s.rng.int(10, 40)}`,
          ua: POLLER_UA,
          vpce: vpce(account, region, 'ec2'),
        };
        const calls: ReadCall[] = [['ec2', 'DescribeInstances'], ['monitoring', 'GetMetricData']];
        if (hour % 3 === 0) calls.push(['ec2', 'DescribeVolumes'], ['ec2', 'DescribeSecurityGroups']);
        s.reads(t, account, region, caller, calls, [0, 2]);
      }
    }
  }
}

/** Prod workloads: the orders service reads objects and decrypts data keys; EC2 refreshes its instance-profile credentials. */
function prodWorkloads(out: Emitted[]): void {
  for (const region of HOME_REGIONS) {
    const s = new Story(`workloads/prod/${region}`, out);
    const instances = [0, 1, 2].map((i) => `i-0${stableHex(`prod/${region}/web/${i}`, 16)}`);
    const keyArn = `arn:aws:kms:${region}:${PROD}:key/${stableHex(`kms/${region}`, 8)}-${stableHex(`kms/${region}`, 20).slice(8, 12)}-4${stableHex(`kms/${region}`, 20).slice(13, 16)}-a${stableHex(`kms/${region}`, 24).slice(17, 20)}-${stableHex(`kms/${region}/tail`, 12)}`;
    const bucket = `acme-prod-orders-exports-${region}`;
    const octet = SECOND_OCTET[`${PROD}/${region}`] ?? 0;
    for (let hour = 0; hour < DAYS.length * 24; hour++) {
      const local = (hour + (region === 'eu-west-1' ? 1 : -4) + 24) % 24;
      const busy = local >= 8 && local <= 20;
      const start = DAY0 + hour * HOUR;
      const instance = instances[hour % instances.length] ?? 'i-unknown';
      if (hour % 2 === 0) serviceAssumesRole(s, start + s.rng.int(0, 59) * MIN, PROD, region, 'ec2.amazonaws.com', 'orders-api', instance);
      const caller = (ip: string, service: string): Caller => ({
        identity: assumedRole({ account: PROD, role: 'orders-api', session: instance, created: start - (hour % 2) * HOUR }),
        ip,
        ua: APP_UA,
        vpce: vpce(PROD, region, service),
      });
      const decrypts = busy ? s.rng.int(4, 8) : s.rng.int(1, 2);
      for (let i = 0; i < decrypts; i++) {
        s.call({
          t: start + s.rng.int(0, 3599) * SEC,
          account: PROD,
          region,
          caller: caller(`10.${octet}.1.${s.rng.int(10, 200)}`, 'kms'),
          service: 'kms',
          name: 'Decrypt',
          req: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { service: 'orders-api' } },
          resources: [{ accountId: PROD, type: 'AWS::KMS::Key', ARN: keyArn }],
        });
      }
      const reads = busy ? s.rng.int(3, 6) : s.rng.int(0, 1);
      for (let i = 0; i < reads; i++) {
        const key = `exports/2025/05/${String(12 + Math.floor(hour / 24)).padStart(2, '0')}/orders-${s.rng.hex(8)}.csv`;
        s.call({
          t: start + s.rng.int(0, 3599) * SEC,
          account: PROD,
          region,
          caller: caller(`10.${octet}.2.${s.rng.int(10, 200)}`, 's3'),
          service: 's3',
          name: 'GetObject',
          req: { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, key },
          additional: { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: 0, AuthenticationMethod: 'AuthHeader', bytesTransferredOut: s.rng.int(2_000, 900_000) },
          resources: [
            { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
            { accountId: PROD, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
          ],
          data: true,
          readOnly: true,
        });
      }
    }
  }
}

/** Dev workloads: a Lambda function that wakes during the working day and decrypts its configuration. */
function devWorkloads(out: Emitted[]): void {
  for (const region of HOME_REGIONS) {
    const s = new Story(`workloads/dev/${region}`, out);
    for (const day of DAYS) {
      for (let h = 7; h <= 18; h++) {
        const t = at(day, `${h}:${s.rng.int(0, 50)}:${s.rng.int(0, 59)}`);
        serviceAssumesRole(s, t, DEV, region, 'lambda.amazonaws.com', 'invoice-preview-fn', 'invoice-preview');
        s.call({
          t: t + 2 * SEC,
          account: DEV,
          region,
          caller: { identity: assumedRole({ account: DEV, role: 'invoice-preview-fn', session: 'invoice-preview', created: t }), ip: `10.${SECOND_OCTET[`${DEV}/${region}`] ?? 0}.4.${s.rng.int(10, 90)}`, ua: APP_UA, vpce: vpce(DEV, region, 'kms') },
          service: 'kms',
          name: 'Decrypt',
          req: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { LambdaFunctionName: 'invoice-preview' } },
        });
      }
    }
  }
}

const EC2_PAGES: readonly ReadCall[] = [
  ['ec2', 'DescribeInstances'],
  ['ec2', 'DescribeInstanceStatus'],
  ['ec2', 'DescribeSecurityGroups'],
  ['ec2', 'DescribeVolumes'],
  ['ec2', 'DescribeSubnets'],
  ['ec2', 'DescribeVpcs'],
  ['ec2', 'DescribeAddresses'],
  ['ec2', 'DescribeKeyPairs'],
];
const OTHER_PAGES: readonly ReadCall[] = [
  ['monitoring', 'DescribeAlarms'],
  ['monitoring', 'GetMetricData'],
  ['logs', 'DescribeLogGroups'],
  ['lambda', 'ListFunctions20150331'],
  ['autoscaling', 'DescribeAutoScalingGroups'],
  ['cloudtrail', 'LookupEvents'],
  ['s3', 'ListBuckets'],
  ['s3', 'GetBucketLocation'],
  ['s3', 'GetBucketPolicy'],
];

/** A stretch of console browsing: pages in one region, each a burst of reads. */
function browse(s: Story, t: number, person: Person, caller: Caller, region: string, pages: number): number {
  let now = t;
  for (let p = 0; p < pages; p++) {
    const page: ReadCall[] = [s.rng.pick(EC2_PAGES), s.rng.pick(OTHER_PAGES)];
    if (s.rng.chance(0.5)) page.push(s.rng.pick(EC2_PAGES));
    // S3 console calls are global-endpoint calls recorded in us-east-1.
    for (const call of page) {
      now = s.reads(now, person.account, call[0] === 's3' ? 'us-east-1' : region, caller, [call], [2, 9]);
    }
    now += s.rng.int(20, 240) * SEC;
  }
  return now;
}

/** People signing in to the console most days and looking around. */
function consoleBrowsing(out: Emitted[]): void {
  const habits: readonly { person: Person; clock: string; region: string; days: readonly number[] }[] = [
    { person: PEOPLE.erin, clock: '14:05', region: 'us-east-1', days: [1, 2, 3, 4, 5] },
    { person: PEOPLE.dana, clock: '09:12', region: 'us-east-1', days: [1, 3, 5] },
    { person: PEOPLE.bob, clock: '13:40', region: 'us-east-1', days: [1, 3, 4] },
    { person: PEOPLE.alice, clock: '08:20', region: 'eu-west-1', days: [1, 2, 3, 4, 5] },
    { person: PEOPLE.carol, clock: '15:30', region: 'eu-west-1', days: [2, 4, 5] },
  ];
  for (const h of habits) {
    const s = new Story(`console/${h.person.email}`, out);
    for (const day of h.days) {
      const t = at(day, h.clock) + s.rng.int(0, 40) * MIN;
      const caller = consoleLogin(s, t, h.person);
      const next = browse(s, t + 20 * SEC, h.person, caller, h.region, s.rng.int(4, 8));
      // An afternoon look at the other home region.
      if (s.rng.chance(0.5)) browse(s, next + s.rng.int(60, 180) * MIN, h.person, caller, h.region === 'us-east-1' ? 'eu-west-1' : 'us-east-1', s.rng.int(2, 4));
    }
  }
}

/**
 * Prod web tier: Auto Scaling adds two m6i.large for the daytime peak and
 * removes them in the evening, with the tags the group propagates.
 */
function autoScaling(out: Emitted[]): void {
  const plan = [
    { region: 'us-east-1', group: 'web-use1', days: [1, 2, 3, 4, 5], out: '13:04', in: '23:12' },
    { region: 'eu-west-1', group: 'web-euw1', days: [1, 3, 5], out: '07:31', in: '19:42' },
  ] as const;
  for (const p of plan) {
    const s = new Story(`asg/${p.group}`, out);
    const net = network(PROD, p.region);
    const template = { id: `lt-0${stableHex(`lt/${p.group}`, 16)}`, version: '14' };
    for (const day of p.days) {
      const caller: Caller = {
        identity: assumedRole({ account: PROD, role: 'AWSServiceRoleForAutoScaling', path: 'aws-service-role/autoscaling.amazonaws.com/', session: 'AutoScaling', created: at(day, p.out) - 5 * MIN, invokedBy: 'autoscaling.amazonaws.com' }),
        ip: 'autoscaling.amazonaws.com',
        ua: 'autoscaling.amazonaws.com',
        service: true,
      };
      const launched: string[] = [];
      for (let i = 0; i < 2; i++) {
        const t = at(day, p.out) + i * s.rng.int(8, 15) * SEC + s.rng.int(0, 30) * SEC;
        launched.push(
          ...runInstances(s, {
            t,
            account: PROD,
            region: p.region,
            caller,
            instanceType: 'm6i.large',
            count: 1,
            image: imageOf(PROD, p.region),
            subnet: subnetOf(net, day + i),
            vpcId: net.vpcId,
            group: groupOf(net, 'web'),
            template,
            tags: { 'aws:autoscaling:groupName': p.group, Name: p.group, CostCenter: 'CC-1001', Owner: 'web-platform@example.com', Environment: 'prod' },
          }),
        );
        // The new instance fetches its instance-profile credentials.
        serviceAssumesRole(s, t + s.rng.int(40, 90) * SEC, PROD, p.region, 'ec2.amazonaws.com', 'orders-api', launched[launched.length - 1] ?? 'i-unknown');
      }
      launched.forEach((id, i) => terminateInstances(s, at(day, p.in) + i * s.rng.int(5, 20) * SEC, PROD, p.region, caller, [id]));
    }
  }
}

/**
 * Dev CI: every morning a GitHub Actions workflow assumes ci-deployer and
 * starts a tagged integration environment in both home regions; in the
 * afternoon the teardown job terminates it.
 */
function ciIntegration(out: Emitted[]): void {
  const s = new Story('ci/dev', out);
  const runnerIp = (region: string): string => `10.${SECOND_OCTET[`${DEV}/${region}`] ?? 0}.9.${s.rng.int(20, 60)}`;
  for (const day of DAYS) {
    const runId = 14_812_000_000 + day * 137_911 + s.rng.int(0, 9_999);
    const tags = { Name: `integration-${runId}`, CostCenter: 'CC-2207', Owner: 'platform-team@example.com', Environment: 'ci', Pipeline: 'platform-integration' };
    const started: Record<string, string[]> = {};
    let t = at(day, '09:11') + s.rng.int(0, 180) * SEC;
    const caller = assumeRoleWithWebIdentity(s, t, DEV, 'us-east-1', 'ci-deployer', `gha-${runId}-1`, runnerIp('us-east-1'), 'acme/platform');
    for (const region of HOME_REGIONS) {
      const net = network(DEV, region);
      const regional: Caller = { ...caller, ip: runnerIp(region), vpce: vpce(DEV, region, 'ec2') };
      t = s.reads(t + 5 * SEC, DEV, region, regional, [['ec2', 'DescribeImages'], ['ec2', 'DescribeSubnets'], ['ec2', 'DescribeSecurityGroups']], [1, 3]);
      const plan: readonly [string, number][] = region === 'us-east-1' ? [['t3.medium', 3], ['m6i.large', 1]] : [['t3.medium', 2]];
      const ids: string[] = [];
      for (const [instanceType, count] of plan) {
        const launch = { t, account: DEV, region, caller: regional, instanceType, count, image: imageOf(DEV, region), subnet: subnetOf(net, day), vpcId: net.vpcId, group: groupOf(net, 'ci'), tags, imdsTokens: 'required' } as const;
        // Day 3: no m6i.large capacity in the first zone; the workflow retries in the next one.
        if (day === 3 && instanceType === 'm6i.large') {
          runInstances(s, { ...launch, error: ['Server.InsufficientInstanceCapacity', `We currently do not have sufficient m6i.large capacity in the Availability Zone you requested (${subnetOf(net, day).az}). Our system will be working on provisioning additional capacity. You can currently get m6i.large capacity by not specifying an Availability Zone in your request or choosing us-east-1a, us-east-1b.`] });
          t += s.rng.int(4, 9) * SEC;
          ids.push(...runInstances(s, { ...launch, t, subnet: subnetOf(net, day + 1) }));
        } else {
          ids.push(...runInstances(s, launch));
        }
        t += s.rng.int(3, 8) * SEC;
      }
      started[region] = ids;
      // The SDK waiter polls until the environment is running.
      t = s.reads(t + 10 * SEC, DEV, region, regional, Array.from({ length: s.rng.int(4, 7) }, () => ['ec2', 'DescribeInstances'] as const), [14, 16]);
    }

    // Teardown, by a later run of the same workflow.
    const teardownId = runId + s.rng.int(40, 90);
    let t2 = at(day, '15:38') + s.rng.int(0, 240) * SEC;
    const teardown = assumeRoleWithWebIdentity(s, t2, DEV, 'us-east-1', 'ci-deployer', `gha-${teardownId}-1`, runnerIp('us-east-1'), 'acme/platform');
    for (const region of HOME_REGIONS) {
      const regional: Caller = { ...teardown, ip: runnerIp(region), vpce: vpce(DEV, region, 'ec2') };
      t2 = s.reads(t2 + 4 * SEC, DEV, region, regional, [['ec2', 'DescribeInstances']]);
      terminateInstances(s, t2, DEV, region, regional, started[region] ?? []);
      t2 = s.reads(t2 + 15 * SEC, DEV, region, regional, [['ec2', 'DescribeInstances'], ['ec2', 'DescribeInstances']], [15, 15]);
    }
  }
}

/** Alice profiles a service on two m5.large she starts from the console on day 2 and stops needing on day 3. */
function developerConsoleLaunch(out: Emitted[]): void {
  const s = new Story('console-launch/alice', out);
  const person = PEOPLE.alice;
  const region = 'eu-west-1';
  const net = network(DEV, region);
  let t = at(2, '14:18:22');
  const caller = consoleLogin(s, t, person);
  // The launch wizard's reads, then the launch.
  t = s.reads(t + 30 * SEC, DEV, region, caller, [['ec2', 'DescribeImages'], ['ec2', 'DescribeInstanceTypes'], ['ec2', 'DescribeKeyPairs'], ['ec2', 'DescribeSecurityGroups'], ['ec2', 'DescribeSubnets']], [3, 20]);
  const ids = runInstances(s, {
    t: t + 41 * SEC,
    account: DEV,
    region,
    caller,
    instanceType: 'm5.large',
    count: 2,
    image: imageOf(DEV, region),
    subnet: subnetOf(net, 1),
    vpcId: net.vpcId,
    group: groupOf(net, 'dev'),
    keyName: 'alice-laptop',
    tags: { Name: 'alice-profiling', CostCenter: 'CC-2207', Owner: 'alice@example.com' },
    imdsTokens: 'required',
  });
  s.reads(t + 55 * SEC, DEV, region, caller, [['ec2', 'DescribeInstances'], ['ec2', 'DescribeInstanceStatus']], [4, 12]);
  const t3 = at(3, '16:02:47');
  const next = consoleLogin(s, t3, person);
  terminateInstances(s, t3 + 95 * SEC, DEV, region, next, ids);
}

/** Carol tries things in the sandbox from the console and forgets the business tags. */
function sandboxExperiments(out: Emitted[]): void {
  const s = new Story('sandbox/carol', out);
  const person = PEOPLE.carol;
  const launches = [
    { day: 1, clock: '10:06:12', region: 'us-east-1', type: 't3.micro', name: 'carol-test', ends: [2, '11:20:05'] },
    { day: 1, clock: '10:44:51', region: 'eu-west-1', type: 't3.small', name: 'carol-latency-eu', ends: [2, '11:22:40'] },
    { day: 3, clock: '15:11:30', region: 'us-east-1', type: 't3.medium', name: 'carol-load-test', ends: [5, '10:03:18'] },
  ] as const;
  let session: { caller: Caller; until: number } | undefined;
  const signIn = (t: number): Caller => {
    if (!session || t > session.until) session = { caller: consoleLogin(s, t - 60 * SEC, person), until: t + 8 * HOUR };
    return session.caller;
  };
  const started: { ids: string[]; region: string; ends: readonly [number, string] }[] = [];
  for (const l of launches) {
    const net = network(SANDBOX, l.region);
    const t = at(l.day, l.clock);
    const caller = signIn(t);
    const next = s.reads(t, SANDBOX, l.region, caller, [['ec2', 'DescribeImages'], ['ec2', 'DescribeSecurityGroups'], ['ec2', 'DescribeSubnets']], [4, 15]);
    const ids = runInstances(s, { t: next + 30 * SEC, account: SANDBOX, region: l.region, caller, instanceType: l.type, count: 1, image: imageOf(SANDBOX, l.region), subnet: subnetOf(net, 0), vpcId: net.vpcId, group: groupOf(net, 'default'), tags: { Name: l.name } });
    started.push({ ids, region: l.region, ends: l.ends });
  }
  for (const x of started) {
    const t = at(x.ends[0], x.ends[1]);
    terminateInstances(s, t, SANDBOX, x.region, signIn(t), x.ids);
  }
}

/** Bob gives the partner SFTP server a fixed public address the partner can allow-list. */
function networkAdminAddress(out: Emitted[]): void {
  const s = new Story('network/bob', out);
  const region = 'us-east-1';
  let t = at(2, '16:21:09');
  const caller = consoleLogin(s, t, PEOPLE.bob);
  t = s.reads(t + 25 * SEC, PROD, region, caller, [['ec2', 'DescribeAddresses'], ['ec2', 'DescribeInstances'], ['ec2', 'DescribeNatGateways']], [5, 20]);
  const eip = allocateAddress(s, t + 12 * SEC, PROD, region, caller, '3.231.118.42', { Name: 'sftp-partner-egress', CostCenter: 'CC-1001', Owner: 'network@example.com' });
  associateAddress(s, t + 58 * SEC, PROD, region, caller, eip.allocationId, `i-0${stableHex('prod/us-east-1/sftp', 16)}`);
  s.reads(t + 70 * SEC, PROD, region, caller, [['ec2', 'DescribeAddresses']]);
}

/**
 * Terraform (from the infrastructure pipeline) creates the public load
 * balancer's group, open on 443 only, and private-range rules for the
 * database and the bastion.
 */
function terraformRules(out: Emitted[]): void {
  const s = new Story('terraform/prod', out);
  let t = at(3, '11:19:40');
  const caller0 = assumeRoleWithWebIdentity(s, t, PROD, 'us-east-1', 'terraform-apply', `gha-${14_812_505_118}-1`, '10.20.9.31', 'acme/infrastructure');
  for (const region of HOME_REGIONS) {
    const net = network(PROD, region);
    const caller: Caller = { ...caller0, ua: TERRAFORM_UA, ip: `10.${SECOND_OCTET[`${PROD}/${region}`] ?? 0}.9.31`, vpce: vpce(PROD, region, 'ec2') };
    t = s.reads(t + 6 * SEC, PROD, region, caller, [['ec2', 'DescribeVpcs'], ['ec2', 'DescribeSecurityGroups'], ['ec2', 'DescribeSubnets']], [1, 2]);
    const alb = createSecurityGroup(s, t, PROD, region, caller, `alb-public-${region}`, 'Public HTTPS for the orders load balancer', net.vpcId);
    authorizeIngress(s, t + 2 * SEC, PROD, region, caller, alb, [{ protocol: 'tcp', from: 443, to: 443, v4: ['0.0.0.0/0'], v6: ['::/0'], description: 'HTTPS from anywhere' }]);
    const db = ec2Id('sg', `${PROD}/${region}/orders-db`);
    authorizeIngress(s, t + 4 * SEC, PROD, region, caller, db, [{ protocol: 'tcp', from: 5432, to: 5432, v4: [`10.${SECOND_OCTET[`${PROD}/${region}`] ?? 0}.0.0/16`], description: 'PostgreSQL from the VPC' }]);
    authorizeIngress(s, t + 5 * SEC, PROD, region, caller, ec2Id('sg', `${PROD}/${region}/bastion`), [{ protocol: 'tcp', from: 22, to: 22, v4: ['10.0.0.0/8', '172.16.0.0/12'], description: 'SSH from the corporate network' }]);
    t = s.reads(t + 7 * SEC, PROD, region, caller, [['ec2', 'DescribeSecurityGroups']]);
  }
}

/** Dana checks and raises a Lambda quota, and reads a VPC quota: quota work on services other than EC2. */
function adminQuotas(out: Emitted[]): void {
  const s = new Story('quotas/dana', out);
  const t = at(2, '09:41:15');
  const caller = consoleLogin(s, t, PEOPLE.dana);
  quotaCall(s, t + 40 * SEC, PROD, 'us-east-1', caller, 'GetServiceQuota', 'lambda', 'L-B99A9384');
  quotaCall(s, t + 95 * SEC, PROD, 'us-east-1', caller, 'RequestServiceQuotaIncrease', 'lambda', 'L-B99A9384', 3000);
  const t4 = at(4, '10:12:33');
  const caller4 = consoleLogin(s, t4, PEOPLE.dana);
  quotaCall(s, t4 + 30 * SEC, PROD, 'eu-west-1', caller4, 'ListServiceQuotas', 'vpc');
  quotaCall(s, t4 + 48 * SEC, PROD, 'eu-west-1', caller4, 'GetServiceQuota', 'vpc', 'L-F678F1CE');
}

/** What svc-reporting is for: a nightly cost report from an on-premises server. */
function reportingJob(out: Emitted[]): void {
  const s = new Story('reporting/svc-reporting', out);
  const caller: Caller = { identity: iamUser(SVC_REPORTING.account, SVC_REPORTING.user, SVC_REPORTING.key), ip: REPORTING_SERVER_IP, ua: JAVA_UA };
  for (const day of DAYS) {
    const t = at(day, '06:00:04') + s.rng.int(0, 20) * SEC;
    s.call({ t, account: DEV, region: 'us-east-1', caller, service: 'ce', name: 'GetCostAndUsage', req: { timePeriod: { start: iso(t - DAY).slice(0, 10), end: iso(t).slice(0, 10) }, granularity: 'DAILY', metrics: ['UnblendedCost'] } });
    const key = `daily/${iso(t).slice(0, 10)}.csv`;
    s.call({
      t: t + s.rng.int(20, 50) * SEC,
      account: DEV,
      region: 'us-east-1',
      caller,
      service: 's3',
      name: 'PutObject',
      req: { bucketName: 'acme-dev-cost-reports', Host: 'acme-dev-cost-reports.s3.us-east-1.amazonaws.com', key },
      additional: { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: s.rng.int(20_000, 90_000), AuthenticationMethod: 'AuthHeader', bytesTransferredOut: 0 },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::acme-dev-cost-reports/${key}` },
        { accountId: DEV, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::acme-dev-cost-reports' },
      ],
      data: true,
      readOnly: false,
    });
  }
}

function background(out: Emitted[]): void {
  monitoringPoller(out);
  prodWorkloads(out);
  devWorkloads(out);
  consoleBrowsing(out);
  autoScaling(out);
  ciIntegration(out);
  developerConsoleLaunch(out);
  sandboxExperiments(out);
  networkAdminAddress(out);
  terraformRules(out);
  adminQuotas(out);
  reportingJob(out);
}

// ---------------------------------------------------------------------------
// The attack
// ---------------------------------------------------------------------------

const PASS_ROLE_DENIED = (profile: string): readonly [string, string] => [
  'Client.UnauthorizedOperation',
  `You are not authorized to perform this operation. User: arn:aws:iam::${DEV}:user/svc-reporting is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${DEV}:role/${profile} because no identity-based policy allows the iam:PassRole action. Encoded authorization failure message: ${stableChars(`denied/${profile}`, ALNUM, 96)}`,
];
const VCPU_LIMIT = (limit: number): readonly [string, string] => [
  'Client.VcpuLimitExceeded',
  `You have requested more vCPU capacity than your current vCPU limit of ${limit} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
];
const DRY_RUN: readonly [string, string] = ['Client.DryRunOperation', 'Request would have succeeded, but DryRun flag is set.'];

/** Day 4, dev account: the stolen long-term key of svc-reporting. */
function stolenKey(out: Emitted[]): void {
  const s = new Story('attack/dev', out);
  const caller: Caller = { identity: iamUser(SVC_REPORTING.account, SVC_REPORTING.user, SVC_REPORTING.key), ip: ATTACKER_IP, ua: ATTACKER_UA };
  const home = 'us-east-1';
  const call = (t: number, region: string, service: string, name: string, req: Json | null = null, res: Json | null = null): void => {
    s.call({ t, account: DEV, region, caller, service, name, req, res });
  };

  // Who am I, what may I do, where can I go.
  call(at(4, '02:07:13'), home, 'sts', 'GetCallerIdentity');
  call(at(4, '02:07:31'), home, 'iam', 'GetUser', { userName: 'svc-reporting' });
  call(at(4, '02:07:40'), home, 'iam', 'ListAttachedUserPolicies', { userName: 'svc-reporting' });
  call(at(4, '02:08:05'), home, 'ec2', 'DescribeRegions', { regionSet: {}, allRegions: true });
  let t = at(4, '02:08:20');
  for (const region of ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1']) {
    call(t, region, 'ec2', 'DescribeInstances', { instancesSet: {}, filterSet: {} });
    t += s.rng.int(2, 5) * SEC;
  }

  // How much can this account run?
  const dev = network(DEV, home);
  quotaCall(s, at(4, '02:09:50'), DEV, home, caller, 'ListServiceQuotas', 'ec2');
  quotaCall(s, at(4, '02:10:10'), DEV, home, caller, 'GetServiceQuota', 'ec2', 'L-1216C47A');
  quotaCall(s, at(4, '02:10:14'), DEV, home, caller, 'GetServiceQuota', 'ec2', 'L-417A185B');
  quotaCall(s, at(4, '02:10:17'), DEV, home, caller, 'GetServiceQuota', 'ec2', 'L-DB2E81BA');

  // Try the big GPU boxes at home: dry run, denied twice (no iam:PassRole for the profiles it tries), over the vCPU limit.
  const p3 = { account: DEV, region: home, caller, instanceType: 'p3.16xlarge', count: 4, image: ec2Id('ami', 'ubuntu-focal/us-east-1'), subnet: subnetOf(dev, 0), vpcId: dev.vpcId, group: groupOf(dev, 'default'), imdsTokens: 'optional' } as const;
  runInstances(s, { ...p3, t: at(4, '02:11:02'), error: DRY_RUN });
  runInstances(s, { ...p3, t: at(4, '02:11:40'), instanceProfile: 'ec2-admin', error: PASS_ROLE_DENIED('ec2-admin') });
  runInstances(s, { ...p3, t: at(4, '02:12:05'), instanceProfile: 'ssm-managed-instance', error: PASS_ROLE_DENIED('ssm-managed-instance') });
  runInstances(s, { ...p3, t: at(4, '02:12:40'), error: VCPU_LIMIT(0) });
  runInstances(s, { ...p3, t: at(4, '02:13:10'), instanceType: 'p3.8xlarge', count: 2, error: VCPU_LIMIT(0) });
  quotaCall(s, at(4, '02:14:30'), DEV, home, caller, 'RequestServiceQuotaIncrease', 'ec2', 'L-417A185B', 256);

  // Somewhere nobody looks: turn on an opt-in region and wait for it.
  call(at(4, '02:15:50'), home, 'account', 'ListRegions', { RegionOptStatusContains: ['DISABLED'] });
  call(at(4, '02:16:20'), home, 'account', 'EnableRegion', { RegionName: ATTACK_REGION });
  call(at(4, '02:27:02'), home, 'account', 'GetRegionOptStatus', { RegionName: ATTACK_REGION });
  call(at(4, '02:38:41'), home, 'account', 'GetRegionOptStatus', { RegionName: ATTACK_REGION });

  const region = ATTACK_REGION;
  const net = network(DEV, region);
  call(at(4, '02:40:05'), region, 'ec2', 'DescribeVpcs', { vpcSet: {}, filterSet: { items: [{ name: 'is-default', valueSet: { items: [{ value: 'true' }] } }] } });
  call(at(4, '02:40:09'), region, 'ec2', 'DescribeSubnets', { subnetSet: {}, filterSet: {} });
  call(at(4, '02:40:16'), region, 'ec2', 'DescribeImages', { executableBySet: {}, imagesSet: {}, ownersSet: { items: [{ owner: '099720109477' }] }, filterSet: { items: [{ name: 'name', valueSet: { items: [{ value: 'ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-*' }] } }] } });
  quotaCall(s, at(4, '02:41:30'), DEV, region, caller, 'GetServiceQuota', 'ec2', 'L-DB2E81BA');
  quotaCall(s, at(4, '02:41:34'), DEV, region, caller, 'GetServiceQuota', 'ec2', 'L-3819A6DF');

  // Its own way in: a key pair and SSH open to the world.
  createKeyPair(s, at(4, '02:42:10'), DEV, region, caller, 'aws-gpu');
  const sg = createSecurityGroup(s, at(4, '02:42:40'), DEV, region, caller, 'gpu-workers', 'gpu-workers', net.vpcId);
  authorizeIngress(s, at(4, '02:42:52'), DEV, region, caller, sg, [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);

  // The burst: 30 GPU instances, 344 vCPUs, until the regional limit stops it.
  const image = ec2Id('ami', `ubuntu-focal/${region}`);
  const group = { id: sg, name: 'gpu-workers' };
  const gpu = { account: DEV, region, caller, image, vpcId: net.vpcId, group, keyName: 'aws-gpu', userData: true, imdsTokens: 'optional' } as const;
  runInstances(s, { ...gpu, t: at(4, '02:43:30'), instanceType: 'g4dn.xlarge', count: 10, subnet: subnetOf(net, 0), error: DRY_RUN });
  const small = runInstances(s, { ...gpu, t: at(4, '02:44:02'), instanceType: 'g4dn.xlarge', count: 10, subnet: subnetOf(net, 0) });
  runInstances(s, { ...gpu, t: at(4, '02:45:20'), instanceType: 'g4dn.2xlarge', count: 10, subnet: subnetOf(net, 1) });
  const large = runInstances(s, { ...gpu, t: at(4, '02:46:41'), instanceType: 'g4dn.4xlarge', count: 8, subnet: subnetOf(net, 2) });
  runInstances(s, { ...gpu, t: at(4, '02:48:05'), instanceType: 'g4dn.12xlarge', count: 4, subnet: subnetOf(net, 0), error: VCPU_LIMIT(344) });
  const xl = runInstances(s, { ...gpu, t: at(4, '02:48:40'), instanceType: 'g4dn.12xlarge', count: 2, subnet: subnetOf(net, 1) });

  // Spot capacity has its own quota: six more.
  const spotIds = Array.from({ length: 6 }, () => `sir-${s.rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 8)}`);
  const spec = { imageId: image, keyName: 'aws-gpu', instanceType: 'g4dn.4xlarge', groupSet: { items: [{ groupId: sg }] }, userData: '<sensitiveDataRemoved>' };
  s.call({
    t: at(4, '02:50:15'),
    account: DEV,
    region,
    caller,
    service: 'ec2',
    name: 'RequestSpotInstances',
    req: { instanceCount: 6, type: 'one-time', launchSpecification: spec },
    res: (requestId) => ({
      requestId,
      spotInstanceRequestSet: {
        items: spotIds.map((spotInstanceRequestId) => ({
          spotInstanceRequestId,
          spotPrice: '1.204000',
          type: 'one-time',
          state: 'open',
          status: { code: 'pending-evaluation', updateTime: at(4, '02:50:15'), message: 'Your Spot request has been submitted for review, and is pending evaluation.' },
          launchSpecification: { imageId: image, keyName: 'aws-gpu', groupSet: { items: [{ groupId: sg, groupName: 'gpu-workers' }] }, instanceType: 'g4dn.4xlarge', monitoring: { enabled: false } },
          createTime: at(4, '02:50:15'),
          productDescription: 'Linux/UNIX',
          instanceInterruptionBehavior: 'terminate',
        })),
      },
    }),
  });

  // Stable addresses for the workers that matter.
  const targets = [xl[0], xl[1], large[0]].filter((id): id is string => id !== undefined);
  const ips = ['108.136.41.17', '108.136.52.203', '108.137.8.96'];
  const eips = ips.map((ip, i) => allocateAddress(s, at(4, '02:53:00') + i * 7 * SEC, DEV, region, caller, ip));
  const associations = eips.map((eip, i) => associateAddress(s, at(4, '02:53:40') + i * 6 * SEC, DEV, region, caller, eip.allocationId, targets[i] ?? 'i-unknown'));

  // Keep clean-up scripts off them.
  [...xl, ...large.slice(0, 3)].forEach((id, i) => modifyInstanceAttribute(s, at(4, '02:56:10') + i * 25 * SEC, DEV, region, caller, id, { disableApiTermination: { value: true } }));

  // One worker's bootstrap failed: stop it, replace its user data, start it again.
  const fixed = small[3] ?? 'i-unknown';
  stateChange(s, at(4, '03:04:10'), DEV, region, caller, 'StopInstances', fixed);
  modifyInstanceAttribute(s, at(4, '03:06:30'), DEV, region, caller, fixed, { userData: '<sensitiveDataRemoved>' });
  stateChange(s, at(4, '03:06:45'), DEV, region, caller, 'StartInstances', fixed);

  // The first address is already on a blocklist somewhere: swap it for a fresh one.
  const first = eips[0];
  if (first) {
    s.call({ t: at(4, '03:09:00'), account: DEV, region, caller, service: 'ec2', name: 'DisassociateAddress', req: { associationId: associations[0] ?? '' }, res: (requestId) => ({ requestId, _return: true }) });
    s.call({ t: at(4, '03:09:20'), account: DEV, region, caller, service: 'ec2', name: 'ReleaseAddress', req: { allocationId: first.allocationId }, res: (requestId) => ({ requestId, _return: true }) });
    const fresh = allocateAddress(s, at(4, '03:09:50'), DEV, region, caller, '108.136.77.140');
    associateAddress(s, at(4, '03:10:15'), DEV, region, caller, fresh.allocationId, targets[0] ?? 'i-unknown');
  }
  call(at(4, '03:12:02'), region, 'ec2', 'DescribeInstances', { instancesSet: {}, filterSet: {} });
  call(at(4, '03:12:09'), region, 'ec2', 'DescribeAddresses', { publicIpsSet: {}, allocationIdsSet: {}, filterSet: {} });
}

/**
 * Day 4, 04:31: the same key assumes a cross-account role into the sandbox
 * from a second VPS, whose range is on the threat-intel feed, and starts two
 * CPU instances (Monero mines on CPUs).
 */
function sandboxPivot(out: Emitted[]): void {
  const s = new Story('attack/sandbox', out);
  const region = 'eu-west-1';
  const role = 'dev-sandbox-access';
  const arn = roleArn(SANDBOX, role);
  const t0 = at(4, '04:31:12');
  const session = `botocore-session-${Math.floor(t0 / SEC)}`;
  const user: Caller = { identity: iamUser(SVC_REPORTING.account, SVC_REPORTING.user, SVC_REPORTING.key), ip: ATTACKER_SANDBOX_IP, ua: ATTACKER_UA };
  // A cross-account AssumeRole is recorded in both accounts, tied by sharedEventID.
  const shared = s.rng.uuid();
  for (const account of [DEV, SANDBOX]) {
    s.call({
      t: t0,
      account,
      region,
      caller: user,
      service: 'sts',
      name: 'AssumeRole',
      req: { roleArn: arn, roleSessionName: session },
      res: {
        credentials: { accessKeyId: sessionKey(`${arn}/${session}`), expiration: iso(t0 + HOUR) },
        assumedRoleUser: { assumedRoleId: `${uniqueId('AROA', arn)}:${session}`, arn: `arn:aws:sts::${SANDBOX}:assumed-role/${role}/${session}` },
      },
      resources: [{ accountId: SANDBOX, type: 'AWS::IAM::Role', ARN: arn }],
      shared,
    });
  }
  const caller: Caller = { identity: assumedRole({ account: SANDBOX, role, session, created: t0 }), ip: ATTACKER_SANDBOX_IP, ua: ATTACKER_UA };
  const net = network(SANDBOX, region);
  let t = s.reads(t0 + 14 * SEC, SANDBOX, region, caller, [['sts', 'GetCallerIdentity'], ['ec2', 'DescribeInstances'], ['ec2', 'DescribeSecurityGroups'], ['ec2', 'DescribeSubnets']], [2, 6]);
  s.call({ t, account: SANDBOX, region, caller, service: 'ec2', name: 'DescribeImages', req: { executableBySet: {}, imagesSet: {}, ownersSet: { items: [{ owner: '099720109477' }] }, filterSet: {} } });
  t += 50 * SEC;
  createKeyPair(s, t, SANDBOX, region, caller, 'ops');
  runInstances(s, { t: t + 38 * SEC, account: SANDBOX, region, caller, instanceType: 'c5.4xlarge', count: 2, image: ec2Id('ami', `ubuntu-focal/${region}`), subnet: subnetOf(net, 2), vpcId: net.vpcId, group: groupOf(net, 'default'), keyName: 'ops', userData: true, imdsTokens: 'optional' });
  s.reads(t + 70 * SEC, SANDBOX, region, caller, [['ec2', 'DescribeInstances']]);
}

function attack(out: Emitted[]): void {
  stolenKey(out);
  sandboxPivot(out);
}

// ---------------------------------------------------------------------------
// Delivery: S3 log files
// ---------------------------------------------------------------------------

export interface SampleFile {
  /** Relative to the output directory, with `/` separators: `AWSLogs/<account>/CloudTrail/...`. */
  readonly path: string;
  /** The file's JSON text, `{"Records":[...]}`. */
  readonly json: string;
}

export interface SampleOptions {
  /** Include the background (default true). */
  readonly background?: boolean;
  /** Include the attack (default true). */
  readonly attack?: boolean;
}

/**
 * How many hours of events one file holds. CloudTrail itself delivers about
 * every five minutes; batching two hours per file keeps the look of S3
 * delivery while keeping the committed sample small: every file costs about
 * 1 KB of gzip overhead on top of ~100 bytes per record (two random UUIDs
 * each), so hourly files would make it about a third larger.
 */
const FILE_HOURS = 2;
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Groups records into files the way CloudTrail delivers them: per account
 * and region, a few minutes after the call, so a file holds the events
 * delivered in one hour and is not sorted by eventTime. The delay comes from
 * the event id, so it is as deterministic as the records.
 */
function deliver(records: readonly Emitted[]): SampleFile[] {
  const buckets = new Map<string, { account: string; region: string; items: { delivered: number; record: Json }[] }>();
  for (const r of records) {
    const id = String(r.record.eventID);
    const delivered = r.time + 3 * MIN + (parseInt(id.slice(0, 6), 16) % 540) * SEC;
    const hour = Math.floor(delivered / (FILE_HOURS * HOUR)) * FILE_HOURS * HOUR;
    const key = `${r.account}/${r.region}/${hour}`;
    const bucket = buckets.get(key) ?? { account: r.account, region: r.region, items: [] };
    bucket.items.push({ delivered, record: r.record });
    buckets.set(key, bucket);
  }
  const files: SampleFile[] = [];
  for (const [key, b] of buckets) {
    b.items.sort((x, y) => x.delivered - y.delivered || (String(x.record.eventID) < String(y.record.eventID) ? -1 : 1));
    const last = new Date(b.items[b.items.length - 1]?.delivered ?? 0);
    const [y, m, d] = [last.getUTCFullYear(), pad(last.getUTCMonth() + 1), pad(last.getUTCDate())];
    const stamp = `${y}${m}${d}T${pad(last.getUTCHours())}${pad(last.getUTCMinutes())}Z`;
    const name = `${b.account}_CloudTrail_${b.region}_${stamp}_${stableChars(`file/${key}`, ALNUM, 16)}.json.gz`;
    files.push({
      path: `AWSLogs/${b.account}/CloudTrail/${b.region}/${y}/${m}/${d}/${name}`,
      json: JSON.stringify({ Records: b.items.map((i) => i.record) }),
    });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Each part's records, generated once per process: they depend on nothing but this file. */
const PARTS = new Map<'background' | 'attack', readonly Emitted[]>();
function part(name: 'background' | 'attack'): readonly Emitted[] {
  let records = PARTS.get(name);
  if (!records) {
    const out: Emitted[] = [];
    (name === 'background' ? background : attack)(out);
    records = out;
    PARTS.set(name, records);
  }
  return records;
}

/** The sample's files, in path order. */
export function buildSample(options: SampleOptions = {}): SampleFile[] {
  return deliver([...(options.background ?? true ? part('background') : []), ...(options.attack ?? true ? part('attack') : [])]);
}

/** gzip as CloudTrail stores it; Node writes mtime 0, so equal JSON gives equal bytes with the same zlib. */
export function compress(file: SampleFile): Buffer {
  return gzipSync(Buffer.from(file.json, 'utf8'), { level: 9 });
}

/** Replaces `<dir>/AWSLogs` with the files; nothing else in `dir` is touched. */
export function writeSample(dir: string, files: readonly SampleFile[]): void {
  rmSync(path.join(dir, 'AWSLogs'), { recursive: true, force: true });
  for (const f of files) {
    const target = path.join(dir, ...f.path.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, compress(f));
  }
}

/** Where `npm start` reads the sample. */
export const DEFAULT_OUT = fileURLToPath(new URL('../samples/trail/', import.meta.url));

function main(argv: readonly string[]): void {
  const { values } = parseArgs({
    args: [...argv],
    options: { out: { type: 'string' }, 'background-only': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write('Usage: npx tsx scripts/make-sample.ts [--out DIR] [--background-only]\n');
    return;
  }
  const out = path.resolve(values.out ?? DEFAULT_OUT);
  const files = buildSample({ attack: !values['background-only'] });
  writeSample(out, files);
  const records = files.reduce((n, f) => n + (f.json.match(/"eventID"/g)?.length ?? 0), 0);
  process.stdout.write(`wrote ${files.length} files, ${records} records, to ${path.join(out, 'AWSLogs')}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
