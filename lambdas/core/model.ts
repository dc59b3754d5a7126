import type { IndicatorId } from './constants';
import type { Actor, TrailEvent } from './cloudtrail/types';
import type { EventFacts } from './facts';
import type { EngineSettings } from './settings';
import type { ThreatIntel } from './threat-intel';
import type { AccountContext, Enrichment } from './workflow';
import type { BillingData } from './billing';
import type { PolicyDecision } from './policy';

/** What the baseline knew when the event arrived (before learning from it). */
export interface Novelty {
  /** The account's first successful acquisition seen so far (epoch ms), if any before this one. */
  readonly accountSeenSince?: number;
  /** The account had no earlier relevant event in this region. */
  readonly regionFirstSeen: boolean;
  /** The principal had never acquired anything in this account before. */
  readonly principalFirstSeen: boolean;
}

/** A resource given back soon after it was created. */
export interface Churn {
  readonly resource: string;
  readonly kind: 'instance' | 'address' | 'request';
  readonly createdAt: number;
  readonly releasedAt: number;
  readonly createdBy: string;
}

/** An event as correlation sees it: the record, what it means, and what the baseline said. */
export interface ObservedEvent {
  readonly event: TrailEvent;
  readonly facts: EventFacts;
  readonly novelty: Novelty;
  readonly churn: readonly Churn[];
}

/** Events of one principal in one account close together in time. */
export interface EventGroup {
  readonly key: string;
  readonly accountId: string;
  readonly actor: Actor;
  readonly events: readonly ObservedEvent[];
  /**
   * The finding's id when it was fixed earlier: the cloud ledger names a
   * group by the event that opened it, and an event that arrives late but
   * happened earlier must not rename the finding. Absent in a hunt, which
   * sees every event before it groups them.
   */
  readonly findingId?: string;
}

export interface Evidence {
  /** One sentence a person can read in a table or a Slack message. */
  readonly summary: string;
  readonly eventIds: readonly string[];
  readonly details?: Readonly<Record<string, unknown>>;
}

export type IndicatorResult =
  | { readonly status: 'fired'; readonly evidence: Evidence }
  | { readonly status: 'quiet'; readonly note?: string }
  | { readonly status: 'not-applicable'; readonly reason: string };

export interface IndicatorContext {
  readonly settings: EngineSettings;
  readonly intel: ThreatIntel;
  /** What the workflow learned from the account (instances as they are now); absent in a hunt. */
  readonly enrichment?: Enrichment;
  /** Billing signals (the billing check, or a hunt given saved Cost Explorer responses); absent: billing unknown. */
  readonly billing?: BillingData;
}

export interface IndicatorDefinition {
  readonly id: IndicatorId;
  readonly title: string;
  /* What it means and why it matters: INDICATOR_DOCS (indicators/docs.ts). */
  /** The default threshold, in words (from DEFAULT_SETTINGS). */
  readonly threshold: (settings: EngineSettings) => string;
  /**
   * `activity`: something happened that is worth a finding on its own.
   * `context`: changes how an activity is judged (who, where, how much).
   */
  readonly kind: 'activity' | 'context';
  readonly evaluate: (group: EventGroup, ctx: IndicatorContext) => IndicatorResult;
}

export const fired = (summary: string, eventIds: readonly string[], details?: Record<string, unknown>): IndicatorResult => ({
  status: 'fired',
  evidence: details ? { summary, eventIds: [...new Set(eventIds)], details } : { summary, eventIds: [...new Set(eventIds)] },
});
export const quiet = (note?: string): IndicatorResult => (note ? { status: 'quiet', note } : { status: 'quiet' });
export const notApplicable = (reason: string): IndicatorResult => ({ status: 'not-applicable', reason });

export type Severity = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export type AnswerValue = 'yes' | 'no' | 'attempted' | 'unknown';

export interface Answer {
  readonly question: string;
  readonly answer: AnswerValue;
  readonly summary: string;
  readonly evidence: readonly string[];
  /** For `unknown`: which data source would answer it. */
  readonly needs?: string;
}

export interface Answers {
  readonly recentAcquisition: Answer;
  readonly legitimateUse: Answer;
  readonly billing: Answer;
  readonly threatIntel: Answer;
}

export interface FindingIndicator {
  readonly id: IndicatorId;
  readonly title: string;
  readonly weight: number;
  readonly evidence: Evidence;
}

export interface Resources {
  readonly instanceIds: readonly string[];
  readonly allocationIds: readonly string[];
  readonly publicIps: readonly string[];
  readonly keyPairs: readonly string[];
  readonly securityGroups: readonly string[];
  readonly requestIds: readonly string[];
  readonly instanceTypes: readonly string[];
}

export interface Finding {
  readonly findingId: string;
  readonly accountId: string;
  /** The region of most of the activity; every region is in `regions`. */
  readonly region: string;
  readonly regions: readonly string[];
  /** `userIdentity.arn` as recorded. */
  readonly principal: string;
  readonly principalType: string;
  readonly principalRole?: string;
  readonly invokedBy?: string;
  readonly accessKeyId?: string;
  readonly sourceIps: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly score: number;
  readonly severity: Severity;
  readonly escalate: boolean;
  readonly tier: 1 | 2;
  readonly escalationReasons: readonly string[];
  readonly indicators: readonly FindingIndicator[];
  readonly resources: Resources;
  readonly eventIds: readonly string[];
  readonly eventCount: number;
  readonly answers: Answers;
  readonly nextSteps: readonly string[];
  /** The account's name, OU path and tags, when the workflow enriched the finding. */
  readonly account?: AccountContext;
  /** Which containment the policy gives it, and the rule that decided (set by the workflow's assessment). */
  readonly containmentPolicy?: PolicyDecision;
}
