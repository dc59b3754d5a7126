/**
 * Every indicator's table of cases (one module per indicator, next to this
 * file), run in one test file so the whole catalogue is checked in one go.
 */
import { describe, expect, it } from 'vitest';
import { INDICATOR_IDS } from '../../../lambdas/core/constants';
import { runTable, type IndicatorTable } from '../../support/indicator-table';
import acceleratedInstanceType from './accelerated-instance-type.cases';
import billingAnomaly from './billing-anomaly.cases';
import failedProvisioning from './failed-provisioning.cases';
import ipAllocated from './ip-allocated.cases';
import missingBusinessTags from './missing-business-tags.cases';
import newAccountActivity from './new-account-activity.cases';
import newKeyPair from './new-key-pair.cases';
import provisioningBurst from './provisioning-burst.cases';
import quotaProbing from './quota-probing.cases';
import rapidChurn from './rapid-churn.cases';
import securityGroupOpened from './security-group-opened.cases';
import serverProvisioned from './server-provisioned.cases';
import terminationProtectionSet from './termination-protection-set.cases';
import threatIntelMatch from './threat-intel-match.cases';
import unapprovedPrincipal from './unapproved-principal.cases';
import unusualRegion from './unusual-region.cases';
import userDataModified from './user-data-modified.cases';

const TABLES: readonly IndicatorTable[] = [
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

describe('the indicator catalogue', () => {
  it('has exactly one table per indicator id', () => {
    expect(TABLES.map((t) => t.id).sort()).toEqual([...INDICATOR_IDS].sort());
  });
});

for (const t of TABLES) runTable(t);
