import type { Decision } from './approval';
import type { ContainmentPlan, ContainmentReport } from './containment';
import type { Finding } from './model';

/**
 * The shapes that travel through the Step Functions workflow and between
 * its tasks. Every task reads a part of the state (JSONPath) and writes its
 * result under one key, so these types are the contract between the state
 * machine definition (lib/constructs/workflow) and the handlers.
 */

/** What the scorer starts an execution with. */
export interface WorkflowInput {
  readonly finding: Finding;
  /** The correlation group the finding was built from (ledger key), for re-assessment. */
  readonly groupKey: string;
  /** Why this execution started: a new finding, or one that grew into an escalation. */
  readonly trigger: 'new' | 'escalated';
}

export interface InstanceContext {
  readonly instanceId: string;
  readonly region: string;
  /** False when DescribeInstances did not return it (terminated long ago, wrong account). */
  readonly found: boolean;
  readonly state?: string;
  readonly instanceType?: string;
  readonly imageId?: string;
  readonly launchTime?: string;
  readonly publicIps: readonly string[];
  readonly privateIps: readonly string[];
  readonly securityGroups: readonly { readonly id: string; readonly name?: string }[];
  readonly networkInterfaceIds: readonly string[];
  readonly volumeIds: readonly string[];
  readonly instanceProfileArn?: string;
  readonly vpcId?: string;
  readonly subnetId?: string;
  readonly spot: boolean;
  readonly autoScalingGroup?: string;
  /** Tags as they are now. Written by whoever launched it: evidence, never approval. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface AddressContext {
  readonly publicIp: string;
  readonly allocationId?: string;
  readonly associationId?: string;
  readonly instanceId?: string;
  readonly networkInterfaceId?: string;
}

export interface AccountContext {
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
  /** Root first: ["Root", "Workloads", "Sandbox"]. */
  readonly ouPath: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly joinedAt?: string;
}

/** What the Enrich task learned; every part is best effort and says what failed. */
export interface Enrichment {
  readonly instances: readonly InstanceContext[];
  readonly addresses: readonly AddressContext[];
  readonly account?: AccountContext;
  readonly threatIntel: { readonly feeds: readonly string[]; readonly entries: number; readonly loadedAt?: string };
  /** "DescribeInstances in ap-southeast-3: AccessDenied ..." */
  readonly errors: readonly string[];
}

/** An approval request: one per escalated execution that waits for a human. */
export interface ApprovalRequest {
  readonly approvalId: string;
  readonly findingId: string;
  readonly approveUrl: string;
  readonly rejectUrl: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** What the approval endpoint sends back to the waiting execution. */
export interface ApprovalDecision {
  readonly approvalId: string;
  readonly decision: Decision;
  /** Who, as they gave their name or address on the confirmation page. */
  readonly approver: string;
  /** ISO 8601. */
  readonly decidedAt: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
}

/**
 * - contained: approved, and the quarantine finished;
 * - released: an operator released a contained finding;
 * - rejected, no-decision, notify-only: escalated, not contained;
 * - dry-run: escalated, the plan made and notified, nothing changed;
 * - not-escalated: Tier 1.
 */
export type OutcomeKind = 'contained' | 'released' | 'rejected' | 'no-decision' | 'not-escalated' | 'notify-only' | 'dry-run';

export interface Outcome {
  readonly kind: OutcomeKind;
  readonly summary: string;
  readonly decision?: ApprovalDecision;
  /** For contained and released: what was done, the snapshots, where the manifest is. */
  readonly containment?: ContainmentReport;
  /** For an operator's release or quarantine run: who asked. */
  readonly requestedBy?: string;
  /** When the containment policy decided (automatic, never, dry run): the rule. */
  readonly policyRule?: string;
  /** For dry-run: what containment would have done. */
  readonly plan?: ContainmentPlan;
  /** For no-decision: when the approval request expired (ISO 8601). */
  readonly expiresAt?: string;
}

/** A task that failed, caught by the workflow: what and where. */
export interface TaskFailure {
  readonly state: string;
  readonly error: string;
  readonly cause: string;
}

/** What the Notify task delivers: one message, rendered for e-mail and for Slack. */
export type Notification =
  | { readonly kind: 'finding'; readonly finding: Finding; readonly enrichment?: Enrichment; readonly approvalFollows: boolean }
  | { readonly kind: 'approval'; readonly finding: Finding; readonly approval: ApprovalRequest; readonly plan?: ContainmentPlan }
  | { readonly kind: 'outcome'; readonly finding: Finding; readonly outcome: Outcome }
  | { readonly kind: 'failure'; readonly findingId?: string; readonly failure: TaskFailure };

/** Delivery is best effort per channel: one failing never hides the other. */
export interface DeliveryReport {
  readonly email: { readonly sent: true; readonly messageId: string } | { readonly sent: false; readonly error: string };
  readonly slack: { readonly sent: true } | { readonly sent: false; readonly skipped?: true; readonly error?: string };
}

/** Tag keys the responder writes on what it found. */
export const TAG = {
  FINDING: 'rogue-infra:finding-id',
  SEVERITY: 'rogue-infra:severity',
  STATUS: 'rogue-infra:status',
  /** On a contained instance: quarantining, quarantined, failed, released. On a snapshot: evidence. */
  CONTAINMENT: 'rogue-infra:containment',
  /** Where the rollback manifest is: "<table> FINDING#<id> CONTAINMENT". */
  MANIFEST: 'rogue-infra:manifest',
  /** On an evidence snapshot: the instance and device it was taken from. */
  INSTANCE: 'rogue-infra:instance-id',
  DEVICE: 'rogue-infra:device',
  /** On the responder's own security groups: isolation or untrack. */
  GROUP: 'rogue-infra:group',
} as const;
