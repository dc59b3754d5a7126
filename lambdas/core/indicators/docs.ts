import { IndicatorId } from '../constants';

/**
 * What each indicator means and why it matters for T1583.004: for the
 * README's catalogue (scripts/docs.ts) and the people reading it. Kept out
 * of the definitions the engine runs, so the Lambdas do not ship the prose.
 */
export interface IndicatorDoc {
  /** What it means. */
  readonly description: string;
  /** Why it matters. */
  readonly why: string;
}

export const INDICATOR_DOCS: Readonly<Record<IndicatorId, IndicatorDoc>> = {
  [IndicatorId.ACCELERATED_INSTANCE_TYPE]: {
    description: 'A launch (successful or not) or a resize asked for a GPU, ML-accelerator, FPGA or media family, or a very large size.',
    why: 'Crypto-mining wants GPUs and many cores; asking for them is telling even when the call is denied.',
  },
  [IndicatorId.BILLING_ANOMALY]: {
    description: 'Compute spend in the account and region of the activity, within a day of it, is anomalous: a Cost Anomaly Detection anomaly of EC2 or Lightsail, or daily spend far above the trailing median (the daily billing check; in a hunt, saved GetAnomalies / GetCostAndUsage responses).',
    why: 'Crypto-mining and rented-out capacity show up on the bill; an unexplained launch that is also costing money is the playbook\'s heightened billing activity.',
  },
  [IndicatorId.FAILED_PROVISIONING]: {
    description: 'Launch or address calls denied (UnauthorizedOperation, AccessDenied, OptInRequired), over a vCPU/instance/address limit, blocked pending account verification, or DryRun probes.',
    why: 'Stolen keys are tried before they are used: denials, limit errors and dry runs come before the real acquisition.',
  },
  [IndicatorId.IP_ALLOCATED]: {
    description: 'AllocateAddress or AssociateAddress (Lightsail AllocateStaticIp, AttachStaticIp) succeeded.',
    why: 'Stable public addresses are what C2 servers, proxies and phishing hosts need.',
  },
  [IndicatorId.MISSING_BUSINESS_TAGS]: {
    description: 'A successful launch lacks one of requiredTags (checked in the request and in the tags the response shows).',
    why: 'Documented business need is the playbook\'s test; untagged capacity has no owner to ask. Tags present never approve anything.',
  },
  [IndicatorId.NEW_ACCOUNT_ACTIVITY]: {
    description: 'Servers or addresses acquired in an account that joined the organisation recently, or that sits in a sandbox OU (the workflow\'s account context from Organizations).',
    why: 'Attackers launch where nobody looks: a fresh account with no history and no owner habits, or a sandbox with loose guardrails.',
  },
  [IndicatorId.NEW_KEY_PAIR]: {
    description: 'CreateKeyPair or ImportKeyPair succeeded; the evidence says whether a launch in the same finding used it.',
    why: 'An attacker needs its own way in to the servers it buys.',
  },
  [IndicatorId.PROVISIONING_BURST]: {
    description: 'One principal acquired many instances, vCPUs or addresses within a short window.',
    why: 'Miners and proxy farms buy capacity fast, up to the account limits; people and pipelines rarely do.',
  },
  [IndicatorId.QUOTA_PROBING]: {
    description: 'Service Quotas reads of EC2 limits, or a request to raise one.',
    why: 'Before buying at scale an attacker checks, then raises, the vCPU limits of the stolen account.',
  },
  [IndicatorId.RAPID_CHURN]: {
    description: 'Instances, Elastic IPs or spot/fleet requests released soon after they were created.',
    why: 'Cycling addresses for clean IPs, or testing instance types and limits, shows up as create-then-release.',
  },
  [IndicatorId.SECURITY_GROUP_OPENED]: {
    description: 'AuthorizeSecurityGroupIngress from 0.0.0.0/0 or ::/0 on ports other than the allowed web ports.',
    why: 'Remote administration (SSH, RDP) or every port opened to the internet is how acquired servers are reached and run.',
  },
  [IndicatorId.SERVER_PROVISIONED]: {
    description: 'RunInstances, RequestSpotInstances, RequestSpotFleet, CreateFleet, RunScheduledInstances (or Lightsail CreateInstances) succeeded.',
    why: 'Acquiring compute is the technique itself; every other indicator qualifies it.',
  },
  [IndicatorId.TERMINATION_PROTECTION_SET]: {
    description: 'disableApiTermination turned on, at launch or later with ModifyInstanceAttribute.',
    why: 'Attackers protect what they bought from clean-up scripts; responders keep it on, for evidence.',
  },
  [IndicatorId.THREAT_INTEL_MATCH]: {
    description: 'The caller IP, an allocated or associated public IP, an ingress CIDR, or an IP or domain in the request is on a configured feed (CIDR-aware, subdomains included).',
    why: 'A known-bad address or domain turns an odd acquisition into a confirmed one; the card escalates it on its own.',
  },
  [IndicatorId.UNAPPROVED_PRINCIPAL]: {
    description: 'The caller matches none of approvedPrincipals (its ARN or, for an assumed role, the role ARN). Root and IAM-user long-term keys are called out.',
    why: 'Stolen keys act as someone who never provisions; approval must come from configuration, not from tags the caller wrote.',
  },
  [IndicatorId.UNUSUAL_REGION]: {
    description: 'Activity in a region outside approvedRegions or, without that list, in a region the account had never used (after a learning period).',
    why: 'Attackers launch where nobody looks: unused and newly enabled opt-in regions.',
  },
  [IndicatorId.USER_DATA_MODIFIED]: {
    description: 'ModifyInstanceAttribute changed an instance\'s userData (CloudTrail redacts the content; enrichment reads it back).',
    why: 'Rewriting user data and restarting an instance runs the attacker\'s code at boot: a miner on a server someone else paid for.',
  },
};
