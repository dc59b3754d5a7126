import { z } from 'zod';
import { INDICATOR_IDS, type IndicatorId } from '../../lambdas/core/constants';
import { DEFAULT_BILLING_CHECK } from '../../lambdas/core/billing';
import { DEFAULT_CONTAINMENT } from '../../lambdas/core/containment';
import { DEFAULT_SETTINGS } from '../../lambdas/core/settings';

/**
 * The configuration file's schema. Defaults come from the engine's
 * DEFAULT_SETTINGS so there is one source of truth; every object is strict,
 * so a misspelt key is an error rather than a silently ignored setting.
 */

const D = DEFAULT_SETTINGS;
const C = DEFAULT_CONTAINMENT;

/** Commercial regions, opt-in ones included (2026): where member stacks go by default. */
export const MEMBER_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'mx-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'af-south-1', 'me-south-1', 'me-central-1', 'il-central-1',
  'ap-south-1', 'ap-south-2', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
] as const;
const B = DEFAULT_BILLING_CHECK;

const positive = (what: string) => z.number({ error: `a number (${what})` }).positive({ error: `a positive number (${what})` });
const nonNegative = (what: string) => z.number({ error: `a number (${what})` }).min(0, { error: `a number >= 0 (${what})` });
const wholeNumber = (what: string) => z.number({ error: `a whole number (${what})` }).int({ error: `a whole number (${what})` }).positive({ error: `a positive whole number (${what})` });

const arnPattern = z
  .string({ error: 'an ARN pattern such as "arn:aws:iam::*:role/ci-*"' })
  .regex(/^(arn:|\*)/, { error: 'an ARN pattern starting with "arn:" (use * and ? as wildcards)' });
const region = z
  .string({ error: 'a region name such as "us-east-1"' })
  .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'a region name such as "us-east-1"' });
const tagKey = z.string({ error: 'a tag key' }).min(1, { error: 'a non-empty tag key' }).max(128, { error: 'a tag key of at most 128 characters' });
const filePath = z.string({ error: 'a file path' }).min(1, { error: 'a non-empty file path' });
const indicatorId = z.enum(INDICATOR_IDS as [IndicatorId, ...IndicatorId[]], { error: `an indicator id (${INDICATOR_IDS.join(', ')})` });
const port = z.number({ error: 'a port number' }).int({ error: 'a whole port number' }).min(0).max(65535, { error: 'a port number 0-65535' });

const weights = z.strictObject(
  Object.fromEntries(INDICATOR_IDS.map((id) => [id, nonNegative('weight, 0-100').max(100, { error: 'a weight from 0 to 100' }).optional()])) as Record<
    IndicatorId,
    z.ZodOptional<z.ZodNumber>
  >,
);

export const engineConfigShape = {
  approvedPrincipals: z
    .array(arnPattern, { error: 'a list of ARN patterns' })
    .default([...D.approvedPrincipals])
    .describe('ARN glob patterns (`*`, `?`) of principals allowed to acquire servers, matched against `userIdentity.arn` and, for assumed roles, the issuing role ARN. Empty: nobody is approved.'),
  approvedRegions: z
    .array(region, { error: 'a list of region names' })
    .default([...D.approvedRegions])
    .describe('Regions where acquisition is expected. Empty: regions are learned (first use after `baseline.learningHours`).'),
  requiredTags: z.array(tagKey, { error: 'a list of tag keys' }).default([...D.requiredTags]).describe('Tag keys every launch must carry. Empty: not checked.'),
  threatIntel: z
    .strictObject({
      ipFeeds: z.array(filePath, { error: 'a list of feed file paths' }).default([]).describe('Files with one IP or CIDR per line (`#`/`;` comments), relative to the config file.'),
      domainFeeds: z.array(filePath, { error: 'a list of feed file paths' }).default([]).describe('Files with one domain per line (subdomains match; hosts-file lines accepted).'),
    })
    .prefault({}),
  correlation: z
    .strictObject({
      windowMinutes: positive('minutes').default(D.correlation.windowMinutes).describe('Events of one principal in one account this close together form one finding.'),
      maxSpanHours: positive('hours').default(D.correlation.maxSpanHours).describe('A finding never spans longer than this.'),
    })
    .prefault({}),
  baseline: z
    .strictObject({ learningHours: nonNegative('hours').default(D.baseline.learningHours).describe('History an account needs before a first-used region counts as unusual.') })
    .prefault({}),
  burst: z
    .strictObject({
      windowMinutes: positive('minutes').default(D.burst.windowMinutes).describe('Sliding window for provisioning-burst.'),
      instances: wholeNumber('instances').default(D.burst.instances).describe('Instances in the window that make a burst.'),
      vcpus: wholeNumber('vCPUs').default(D.burst.vcpus).describe('vCPUs in the window that make a burst.'),
      addresses: wholeNumber('addresses').default(D.burst.addresses).describe('Elastic IP allocations in the window that make a burst.'),
    })
    .prefault({}),
  churn: z.strictObject({ minutes: positive('minutes').default(D.churn.minutes).describe('Released this soon after creation counts as rapid-churn.') }).prefault({}),
  instanceTypes: z
    .strictObject({
      acceleratedFamilies: z
        .array(z.string().min(1), { error: 'a list of family patterns such as "p*"' })
        .default([...D.instanceTypes.acceleratedFamilies])
        .describe('Instance family globs counted as GPU/ML/FPGA/media.'),
      largeMinVcpus: wholeNumber('vCPUs').default(D.instanceTypes.largeMinVcpus).describe('An instance this large counts as accelerated-instance-type too.'),
    })
    .prefault({}),
  accounts: z
    .strictObject({
      newDays: positive('days').default(D.accounts.newDays).describe('An account that joined the organisation this recently is new (new-account-activity; needs the workflow\'s account context).'),
      sandboxOus: z.array(z.string().min(1), { error: 'a list of OU name patterns such as "*sandbox*"' }).default([...D.accounts.sandboxOus]).describe('OU names (globs, case-insensitive) of sandbox accounts: acquisition there counts as new-account-activity.'),
    })
    .prefault({}),
  quotaProbing: z
    .strictObject({ minReads: wholeNumber('reads').default(D.quotaProbing.minReads).describe('EC2 quota reads in one finding that count as probing (an increase request always counts).') })
    .prefault({}),
  securityGroups: z
    .strictObject({
      worldOpenAllowedPorts: z
        .array(port, { error: 'a list of port numbers' })
        .default([...D.securityGroups.worldOpenAllowedPorts])
        .describe('Ports that may be opened to 0.0.0.0/0 or ::/0 without security-group-opened.'),
    })
    .prefault({}),
  weights: weights.prefault({}).describe('Per-indicator weight (0-100) added to the score when it fires; see the catalogue for defaults.'),
  severity: z
    .strictObject({
      low: nonNegative('score').default(D.severity.low).describe('Lowest score of severity low (below: informational).'),
      medium: nonNegative('score').default(D.severity.medium).describe('Lowest score of severity medium.'),
      high: nonNegative('score').default(D.severity.high).describe('Lowest score of severity high (escalated findings are at least high).'),
      critical: nonNegative('score').default(D.severity.critical).describe('Lowest score of severity critical.'),
    })
    .prefault({})
    .refine((s) => s.low <= s.medium && s.medium <= s.high && s.high <= s.critical, { error: 'thresholds in order low <= medium <= high <= critical' }),
  escalation: z
    .strictObject({
      riskIndicators: z
        .array(indicatorId, { error: 'a list of indicator ids' })
        .default([...D.escalation.riskIndicators])
        .describe('Indicators that, with an unexplained acquisition, escalate to Tier 2.'),
    })
    .prefault({}),
};

const email = z.email({ error: 'an e-mail address' });
const secretName = z
  .string({ error: 'a Secrets Manager secret name' })
  .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, { error: 'a Secrets Manager secret name (letters, digits and /_+=.@-)' });

/**
 * How the responder is deployed (`cdk deploy`). Resource names are not
 * secrets; the secrets themselves (Slack webhook, approval signing key) live
 * in Secrets Manager and are only named here.
 */
export const deploymentShape = z
  .strictObject({
    stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { error: 'a CloudFormation stack name' }).default('RogueInfraResponder').describe('CloudFormation stack name.'),
    account: z.string().regex(/^\d{12}$/, { error: 'a 12-digit account id' }).optional().describe('Security account to deploy to (default: the CLI credentials\' account).'),
    region: region.optional().describe('Region to deploy to (default: the CLI credentials\' region).'),
    organizationId: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, { error: 'an organization id such as "o-a1b2c3d4e5"' })
      .optional()
      .describe('AWS Organizations id: the central event bus admits only accounts of this organisation. Without it the bus admits only this account.'),
    centralBusName: z.string().regex(/^[A-Za-z0-9._-]{1,256}$/, { error: 'an event bus name' }).default('rogue-infra-central').describe('Name of the central event bus member accounts forward to.'),
    notifications: z
      .strictObject({
        emails: z.array(email, { error: 'a list of e-mail addresses' }).default([]).describe('Subscribed to the findings topic (each must confirm the subscription).'),
        slackWebhookSecretName: secretName.optional().describe('Secrets Manager secret holding a Slack incoming-webhook URL (plain string, or JSON {"url": ...}). Without it, no Slack.'),
      })
      .prefault({}),
    approval: z
      .strictObject({
        signingKeySecretName: secretName.optional().describe('Secrets Manager secret holding the HMAC key of approval links. Without it the stack creates one.'),
        linkTtlHours: z.number().positive().max(168, { error: 'at most 168 hours (a week)' }).default(24).describe('How long approve/reject links work; no decision by then: not contained.'),
      })
      .prefault({}),
    containment: z
      .strictObject({
        mode: z.enum(['approval', 'notify-only'], { error: 'one of approval, notify-only' }).default('approval').describe('approval: escalated findings ask for a human decision, and an approval quarantines; notify-only: never.'),
        untrackSeconds: z
          .number({ error: 'a number of seconds' })
          .int({ error: 'a whole number of seconds' })
          .min(0, { error: 'at least 0 seconds' })
          .max(300, { error: 'at most 300 seconds' })
          .default(C.untrackSeconds)
          .describe('Wait between making flows untracked (allow-all group, short connection-tracking timeouts) and applying the isolation group.'),
        autoScaling: z
          .enum(['standby', 'detach'], { error: 'one of standby, detach' })
          .default(C.autoScaling)
          .describe('How a contained instance is kept from its Auto Scaling group: standby (returns on release) or detach.'),
        removeInstanceProfile: z.boolean({ error: 'true or false' }).default(C.removeInstanceProfile).describe('Detach the instance profile while contained (restored on release).'),
        revokeRoleSessions: z
          .boolean({ error: 'true or false' })
          .default(C.revokeRoleSessions)
          .describe('Deny the instance profile role\'s sessions issued before containment (an inline policy; stays after release).'),
        policy: z
          .strictObject({
            dryRun: z.boolean({ error: 'true or false' }).default(false).describe('Everywhere: plan containment and notify the plan, change nothing.'),
            rules: z
              .array(
                z.strictObject({
                  match: z
                    .strictObject({
                      ou: z.string().min(1).optional().describe('An OU name on the account\'s path (glob, case-insensitive).'),
                      accountId: z.string().regex(/^\d{12}$/, { error: 'a 12-digit account id' }).optional(),
                      tag: z.string().min(1).optional().describe('"key=value" (value may be a glob) or "key".'),
                    })
                    .refine((m) => m.ou !== undefined || m.accountId !== undefined || m.tag !== undefined, { error: 'at least one of ou, accountId, tag' }),
                  action: z.enum(['never', 'approval', 'automatic'], { error: 'one of never, approval, automatic' }),
                }),
                { error: 'a list of rules' },
              )
              .default([])
              .describe('First match wins; no match: approval. automatic contains without asking, only where a rule says so.'),
          })
          .prefault({}),
        blockFlaggedIps: z
          .boolean({ error: 'true or false' })
          .default(C.blockFlaggedIps)
          .describe('Deny the finding\'s public threat-intel IPv4 addresses in the network ACLs of the instances\' subnets (removed on release).'),
      })
      .prefault({}),
    forwarding: z
      .strictObject({
        organizationalUnitIds: z
          .array(z.string().regex(/^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/, { error: 'an OU id such as "ou-ab12-cd34ef56" or a root id such as "r-ab12"' }), { error: 'a list of OU or root ids' })
          .min(1, { error: 'at least one OU or root id' })
          .describe('OUs (or the root) whose accounts get the member stack, now and when they join.'),
        regions: z
          .array(region, { error: 'a list of region names' })
          .min(1, { error: 'at least one region' })
          .default([...MEMBER_REGIONS])
          .describe('Regions the member stack goes to in every account (default: every commercial region, opt-in ones included; a region an account has not enabled fails for that account only).'),
        callAs: z.enum(['SELF', 'DELEGATED_ADMIN'], { error: 'SELF (management account) or DELEGATED_ADMIN' }).default('SELF').describe('SELF when deployed in the management account; DELEGATED_ADMIN in a delegated StackSets administrator.'),
        managementAccount: z.string().regex(/^\d{12}$/, { error: 'a 12-digit account id' }).optional().describe('The account the forwarding stack is deployed to (management account or delegated administrator).'),
        stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { error: 'a CloudFormation stack name' }).default('RogueInfraForwarding').describe('Name of the forwarding stack.'),
        stackSetName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { error: 'a StackSet name' }).default('rogue-infra-responder-members').describe('Name of the StackSet.'),
        memberRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: 'an IAM role name' }).default('rogue-infra-responder-member').describe('Name of the role the workflow assumes in member accounts.'),
      })
      .optional()
      .describe('Organisation-wide forwarding: a StackSet of member stacks (rules to the central bus, the member role). Absent: only this account is watched.'),
    sweep: z
      .strictObject({
        enabled: z.boolean({ error: 'true or false' }).default(true).describe('Run the reconciliation sweep (running instances no event reported).'),
        everyHours: z.number().int().min(1).max(24, { error: 'at most 24 hours' }).default(6).describe('How often it runs.'),
        windowHours: z.number().int().min(1).max(168, { error: 'at most 168 hours' }).default(24).describe('Instances launched this recently are checked against the launch index.'),
      })
      .prefault({}),
    billing: z
      .strictObject({
        enabled: z.boolean({ error: 'true or false' }).default(true).describe('Run the daily billing check (Cost Anomaly Detection and the compute spend baseline).'),
        scheduleUtcHour: z
          .number({ error: 'an hour 0-23 (UTC)' })
          .int({ error: 'a whole hour 0-23 (UTC)' })
          .min(0, { error: 'an hour 0-23 (UTC)' })
          .max(23, { error: 'an hour 0-23 (UTC)' })
          .default(6)
          .describe('When the daily check runs (UTC hour). It judges the last complete UTC day.'),
        lookbackDays: z.number().int().min(1).max(90, { error: 'at most 90 days' }).default(B.lookbackDays).describe('Days of Cost Anomaly Detection anomalies read each run (they are reported late and keep growing).'),
        growthMarginPercent: z.number().min(0, { error: 'a percentage >= 0' }).default(B.growthMarginPercent).describe('An anomaly already alerted is alerted again when its total impact grew by this much.'),
        baselineDays: z.number().int().min(7, { error: 'at least 7 days' }).max(90, { error: 'at most 90 days' }).default(B.baseline.baselineDays).describe('Trailing days of the spend baseline (median and MAD).'),
        factor: z.number().gt(1, { error: 'a factor above 1' }).default(B.baseline.factor).describe('Daily compute spend above this multiple of the median (and above median + 3 scaled MAD) is anomalous...'),
        minDollars: z.number().min(0).default(B.baseline.minDollars).describe('... when it is also at least this many USD above the median.'),
        minHistoryDays: z.number().int().min(1).max(60).default(B.baseline.minHistoryDays).describe('Fewer days of spend than this: a new account or region, judged on newAccountDollars alone.'),
        newAccountDollars: z.number().min(0).default(B.baseline.newAccountDollars).describe('Daily compute spend that is reported for a new account or region.'),
        createMonitor: z
          .boolean({ error: 'true or false' })
          .default(false)
          .describe('Create a Cost Anomaly Detection monitor (by service) with an immediate subscription to the findings topic. Off: read the anomalies of the monitors that exist.'),
        monitorArn: z.string().regex(/^arn:aws[a-z-]*:ce::\d{12}:anomalymonitor\/[\w-]+$/, { error: 'an anomaly monitor ARN' }).optional().describe('Read only this monitor\'s anomalies (default: every monitor\'s, or the one created).'),
        subscriptionThresholdDollars: z.number().min(0).default(100).describe('Total impact from which the created monitor\'s subscription notifies the findings topic directly.'),
      })
      .prefault({}),
    retention: z
      .strictObject({
        logDays: z.number().int().positive().default(365).describe('CloudWatch Logs retention of every function and the workflow.'),
        ledgerDays: z.number().int().positive().default(30).describe('How long correlation state (bursts, churn, first-seen) is kept.'),
        findingDays: z.number().int().positive().default(400).describe('How long findings and their history are kept.'),
      })
      .prefault({}),
    threatIntelRefreshMinutes: z.number().positive().default(15).describe('How long a Lambda caches the feeds read from S3.'),
  })
  .prefault({});

export const configSchema = z.strictObject({ ...engineConfigShape, deployment: deploymentShape });
export type ConfigFile = z.output<typeof configSchema>;
export type DeploymentConfig = ConfigFile['deployment'];
