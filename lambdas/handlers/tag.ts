import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { describeError, TransientError } from '../core/errors';
import type { Finding } from '../core/model';
import { TAG } from '../core/workflow';
import { awsErrorName, isTransient } from '../adapters/aws';
import { EC2Client } from '@aws-sdk/client-ec2';
import { tagResources, type TagReport } from '../adapters/ec2';
import { clientForAccount, memberAccessFromEnvironment } from '../adapters/member';
import { logger, traced } from './shared/observability';
import type { Scope } from './enrich';

/**
 * Tag: marks the finding's instances and Elastic IP allocations with the
 * finding id, its severity and whether it escalated, so whoever looks at the
 * console sees them. These tags are the responder's notes, nothing more:
 * approval never comes from a tag (anyone who can launch can tag).
 */

export interface TagInput {
  readonly finding: Finding;
}

export interface TagOutput {
  readonly tagged: string[];
  /** Ids no region that answered has (terminated, released, or not in this account). */
  readonly missing: string[];
  /** Regions that refused (not retried): "CreateTags in eu-west-1: UnauthorizedOperation: ...". */
  readonly errors: string[];
}

export interface TagDeps {
  readonly tagResources: (scope: Scope, resourceIds: readonly string[], tags: Readonly<Record<string, string>>) => Promise<TagReport>;
}

export function makeTagHandler(deps: TagDeps): (input: TagInput) => Promise<TagOutput> {
  return async ({ finding }) => {
    const tags = {
      [TAG.FINDING]: finding.findingId,
      [TAG.SEVERITY]: finding.severity,
      [TAG.STATUS]: finding.escalate ? 'escalated' : 'observed',
    };
    const regions = [...new Set([finding.region, ...finding.regions])];
    let pending = [...new Set([...finding.resources.instanceIds, ...finding.resources.allocationIds])];
    const tagged: string[] = [];
    const errors: string[] = [];
    for (const region of regions) {
      if (pending.length === 0) break;
      try {
        const report = await deps.tagResources({ accountId: finding.accountId, region }, pending, tags);
        tagged.push(...report.tagged);
        pending = pending.filter((id) => !report.tagged.includes(id));
      } catch (err) {
        // Tags overwrite, so a retry after a partial run is harmless.
        if (isTransient(err)) throw new TransientError(`CreateTags in ${region}: ${describeError(err)}`, { cause: err });
        errors.push(`CreateTags in ${region}: ${awsErrorName(err)}: ${describeError(err)}`);
      }
    }
    logger.info('tagged', { findingId: finding.findingId, tagged: tagged.length, missing: pending, errors });
    return { tagged, missing: pending, errors };
  };
}

let tag: ((input: TagInput) => Promise<TagOutput>) | undefined;

function fromEnvironment(): (input: TagInput) => Promise<TagOutput> {
  // A member account's resources are tagged through the member role there.
  const access = memberAccessFromEnvironment();
  return makeTagHandler({ tagResources: (scope, ids, tags) => tagResources(scope.region, ids, tags, clientForAccount(EC2Client, scope.region, scope.accountId, access)) });
}

export const handler = middy((input: TagInput) => (tag ??= fromEnvironment())(input))
  .use(traced())
  .use(injectLambdaContext(logger));
