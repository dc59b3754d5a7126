import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ContainmentManifest, ContainmentProgress } from '../core/containment';
import { RogueInfraError } from '../core/errors';
import { documentClient, expiresAfter, Keys } from './table';

/**
 * The rollback manifest and the containment's progress, next to the finding
 * (`FINDING#<id>` / `CONTAINMENT`). The manifest is written once, before the
 * first change, and never replaced: a rerun reads it back instead of
 * recording the half-contained instance as its "original" state. Progress
 * is rewritten as the work goes, guarded by a version so two runners never
 * overwrite each other's steps unnoticed.
 */

export interface StoredContainment {
  readonly manifest: ContainmentManifest;
  readonly progress: ContainmentProgress;
  readonly version: number;
}

export interface ContainmentStore {
  get(findingId: string): Promise<StoredContainment | undefined>;
  /** Writes the manifest if there is none; returns what is stored either way. */
  create(manifest: ContainmentManifest, progress: ContainmentProgress): Promise<StoredContainment>;
  /** Replaces the progress if the version is still `version`; returns the new version. */
  update(findingId: string, progress: ContainmentProgress, version: number): Promise<number>;
  /**
   * Replaces the manifest with one that has more instances (the finding
   * grew), if the version is still `version`. The caller appends; recorded
   * instances are never rewritten. Returns the new version.
   */
  extend(findingId: string, manifest: ContainmentManifest, version: number): Promise<number>;
  /** Where the manifest is, for a tag and a message. */
  location(findingId: string): string;
}

export class ContainmentConflictError extends RogueInfraError {
  override readonly name = 'ContainmentConflictError';
}

export function containmentStore(options: { tableName: string; findingDays?: number; client?: DynamoDBDocumentClient; now?: () => number }): ContainmentStore {
  const db = options.client ?? documentClient();
  const now = options.now ?? Date.now;
  const days = options.findingDays ?? 400;
  const key = Keys.containment;

  const read = async (findingId: string): Promise<StoredContainment | undefined> => {
    const out = await db.send(new GetCommand({ TableName: options.tableName, Key: key(findingId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    return {
      manifest: JSON.parse(String(out.Item.manifestJson)) as ContainmentManifest,
      progress: JSON.parse(String(out.Item.progressJson)) as ContainmentProgress,
      version: Number(out.Item.version),
    };
  };

  const item = (findingId: string, manifestJson: string, progress: ContainmentProgress, version: number) => ({
    ...key(findingId),
    findingId,
    manifestJson,
    progressJson: JSON.stringify(progress),
    phase: progress.phase,
    version,
    updatedAt: progress.updatedAt,
    expiresAt: expiresAfter(now(), days),
  });

  const replace = async (findingId: string, manifestJson: string, progress: ContainmentProgress, version: number): Promise<number> => {
    try {
      await db.send(
        new PutCommand({
          TableName: options.tableName,
          Item: item(findingId, manifestJson, progress, version + 1),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': version },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new ContainmentConflictError(`containment of ${findingId} changed while this run worked on it (version ${version} is no longer current): another run is in progress; look at the finding before running again`, { cause: err });
      }
      throw err;
    }
    return version + 1;
  };

  return {
    get: read,
    async create(manifest, progress) {
      try {
        await db.send(
          new PutCommand({
            TableName: options.tableName,
            Item: item(manifest.findingId, JSON.stringify(manifest), progress, 1),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return { manifest, progress, version: 1 };
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        const stored = await read(manifest.findingId);
        if (!stored) throw new ContainmentConflictError(`containment record of ${manifest.findingId} exists and vanished while being read`, { cause: err });
        return stored;
      }
    },
    async update(findingId, progress, version) {
      const stored = await db.send(new GetCommand({ TableName: options.tableName, Key: key(findingId), ConsistentRead: true, ProjectionExpression: 'manifestJson' }));
      if (!stored.Item) throw new ContainmentConflictError(`no containment record for ${findingId}: the manifest must be recorded first`);
      return replace(findingId, String(stored.Item.manifestJson), progress, version);
    },
    async extend(findingId, manifest, version) {
      const stored = await read(findingId);
      if (!stored) throw new ContainmentConflictError(`no containment record for ${findingId}: the manifest must be recorded first`);
      const recorded = stored.manifest.instances;
      if (JSON.stringify(manifest.instances.slice(0, recorded.length)) !== JSON.stringify(recorded)) {
        throw new ContainmentConflictError(`the manifest of ${findingId} may only gain instances, never lose or rewrite one`);
      }
      return replace(findingId, JSON.stringify(manifest), stored.progress, version);
    },
    location: (findingId) => `${options.tableName} FINDING#${findingId} CONTAINMENT`,
  };
}
