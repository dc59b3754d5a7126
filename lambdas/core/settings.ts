import { INDICATOR_IDS, IndicatorId } from './constants';

/**
 * Everything the engine can be told, fully resolved. The config loader
 * (lib/config) validates a file against a schema built from these defaults;
 * the core only ever sees a complete, valid EngineSettings.
 */
export interface EngineSettings {
  /** ARN glob patterns (`*`, `?`) for principals allowed to acquire servers. Empty: nobody is approved. */
  readonly approvedPrincipals: readonly string[];
  /** Regions where acquisition is expected. Empty: learn them (first-seen after a learning period). */
  readonly approvedRegions: readonly string[];
  /** Tag keys every launch must carry. Empty: not checked. */
  readonly requiredTags: readonly string[];
  readonly correlation: {
    /** Events of one principal in one account this close together form one finding. */
    readonly windowMinutes: number;
    /** A finding never spans more than this, however steady the activity. */
    readonly maxSpanHours: number;
  };
  readonly baseline: {
    /** How long an account must have been seen before a region can be called unusual by baseline. */
    readonly learningHours: number;
  };
  readonly burst: {
    readonly windowMinutes: number;
    readonly instances: number;
    readonly vcpus: number;
    readonly addresses: number;
  };
  readonly churn: {
    /** Released this soon after creation counts as churn. */
    readonly minutes: number;
  };
  readonly instanceTypes: {
    /** Family globs for GPU, ML accelerator, FPGA and media families. */
    readonly acceleratedFamilies: readonly string[];
    /** A single instance this large counts as accelerated too. */
    readonly largeMinVcpus: number;
  };
  readonly accounts: {
    /** An account that joined the organisation this recently is new. */
    readonly newDays: number;
    /** OU names (globs, case-insensitive) of sandbox accounts. */
    readonly sandboxOus: readonly string[];
  };
  readonly quotaProbing: {
    /** EC2 quota reads in one finding that count as probing (any increase request always does). */
    readonly minReads: number;
  };
  readonly securityGroups: {
    /** Ports that may be open to the world without counting (web traffic). */
    readonly worldOpenAllowedPorts: readonly number[];
  };
  readonly weights: Readonly<Record<IndicatorId, number>>;
  readonly severity: {
    readonly low: number;
    readonly medium: number;
    readonly high: number;
    readonly critical: number;
  };
  readonly escalation: {
    /** Indicators that, with an unexplained acquisition, escalate to Tier 2. */
    readonly riskIndicators: readonly IndicatorId[];
  };
}

export const DEFAULT_WEIGHTS: Readonly<Record<IndicatorId, number>> = {
  [IndicatorId.SERVER_PROVISIONED]: 10,
  [IndicatorId.IP_ALLOCATED]: 10,
  [IndicatorId.PROVISIONING_BURST]: 20,
  [IndicatorId.RAPID_CHURN]: 15,
  [IndicatorId.UNUSUAL_REGION]: 20,
  [IndicatorId.ACCELERATED_INSTANCE_TYPE]: 25,
  [IndicatorId.UNAPPROVED_PRINCIPAL]: 15,
  [IndicatorId.MISSING_BUSINESS_TAGS]: 10,
  [IndicatorId.FAILED_PROVISIONING]: 15,
  [IndicatorId.QUOTA_PROBING]: 15,
  [IndicatorId.THREAT_INTEL_MATCH]: 40,
  [IndicatorId.NEW_KEY_PAIR]: 5,
  [IndicatorId.SECURITY_GROUP_OPENED]: 15,
  [IndicatorId.USER_DATA_MODIFIED]: 15,
  [IndicatorId.TERMINATION_PROTECTION_SET]: 10,
  [IndicatorId.BILLING_ANOMALY]: 25,
  [IndicatorId.NEW_ACCOUNT_ACTIVITY]: 15,
};

export const DEFAULT_SETTINGS: EngineSettings = {
  approvedPrincipals: [],
  approvedRegions: [],
  requiredTags: [],
  correlation: { windowMinutes: 60, maxSpanHours: 24 },
  baseline: { learningHours: 24 },
  burst: { windowMinutes: 60, instances: 10, vcpus: 64, addresses: 5 },
  churn: { minutes: 30 },
  instanceTypes: {
    acceleratedFamilies: ['p*', 'g*', 'inf*', 'trn*', 'dl*', 'f*', 'vt*'],
    largeMinVcpus: 64,
  },
  accounts: { newDays: 30, sandboxOus: ['*sandbox*'] },
  quotaProbing: { minReads: 3 },
  securityGroups: { worldOpenAllowedPorts: [80, 443] },
  weights: DEFAULT_WEIGHTS,
  severity: { low: 20, medium: 40, high: 70, critical: 90 },
  escalation: {
    riskIndicators: [
      IndicatorId.PROVISIONING_BURST,
      IndicatorId.ACCELERATED_INSTANCE_TYPE,
      IndicatorId.UNUSUAL_REGION,
      IndicatorId.RAPID_CHURN,
      IndicatorId.FAILED_PROVISIONING,
      IndicatorId.QUOTA_PROBING,
      IndicatorId.SECURITY_GROUP_OPENED,
      IndicatorId.BILLING_ANOMALY,
      IndicatorId.NEW_ACCOUNT_ACTIVITY,
      IndicatorId.USER_DATA_MODIFIED,
    ],
  },
};

/** Deep-merges partial settings over the defaults (arrays replace, objects merge). */
export function withDefaults(partial: DeepPartial<EngineSettings> = {}): EngineSettings {
  return merge(DEFAULT_SETTINGS, partial) as EngineSettings;
}

export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> } : T;

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (Array.isArray(over) || typeof over !== 'object' || over === null) return over;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = merge((base as Record<string, unknown>)[k], v);
  return out;
}

export { INDICATOR_IDS };
