import type { IndicatorId } from '../constants';
import type { IndicatorDefinition } from '../model';
import { acceleratedInstanceType } from './accelerated-instance-type';
import { billingAnomaly } from './billing-anomaly';
import { failedProvisioning } from './failed-provisioning';
import { ipAllocated } from './ip-allocated';
import { missingBusinessTags } from './missing-business-tags';
import { newAccountActivity } from './new-account-activity';
import { newKeyPair } from './new-key-pair';
import { provisioningBurst } from './provisioning-burst';
import { quotaProbing } from './quota-probing';
import { rapidChurn } from './rapid-churn';
import { securityGroupOpened } from './security-group-opened';
import { serverProvisioned } from './server-provisioned';
import { terminationProtectionSet } from './termination-protection-set';
import { threatIntelMatch } from './threat-intel-match';
import { unapprovedPrincipal } from './unapproved-principal';
import { unusualRegion } from './unusual-region';
import { userDataModified } from './user-data-modified';

/** The indicator catalogue, in the order reports list it. */
export const INDICATORS: readonly IndicatorDefinition[] = [
  serverProvisioned,
  ipAllocated,
  provisioningBurst,
  rapidChurn,
  unusualRegion,
  acceleratedInstanceType,
  unapprovedPrincipal,
  missingBusinessTags,
  failedProvisioning,
  quotaProbing,
  threatIntelMatch,
  newKeyPair,
  securityGroupOpened,
  userDataModified,
  terminationProtectionSet,
  billingAnomaly,
  newAccountActivity,
];

export const INDICATOR_BY_ID: ReadonlyMap<IndicatorId, IndicatorDefinition> = new Map(INDICATORS.map((i) => [i.id, i]));
