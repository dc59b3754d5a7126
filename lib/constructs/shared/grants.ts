import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';

/**
 * Grants with exact action names, instead of the CDK helpers' wildcards
 * (`kms:GenerateDataKey*`, `s3:GetObject*`, `s3:List*`): every role gets
 * the calls its code makes and nothing that merely shares a prefix.
 */

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'];
const KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE = ['kms:Encrypt', 'kms:GenerateDataKey'];

export function grantTable(role: IRole, table: ITable, key: IKey, mode: 'read' | 'write'): void {
  role.addToPrincipalPolicy(new PolicyStatement({ actions: mode === 'read' ? TABLE_READ : [...TABLE_READ, ...TABLE_WRITE], resources: [table.tableArn] }));
  role.addToPrincipalPolicy(new PolicyStatement({ actions: mode === 'read' ? KEY_READ : [...KEY_READ, ...KEY_WRITE], resources: [key.keyArn] }));
}

export function grantPublish(role: IRole, topic: ITopic, key: IKey): void {
  role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
  role.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }));
}

/** Reading the threat-intel feeds: list the bucket, get its objects. */
export function grantFeedsRead(role: IRole, bucket: IBucket): void {
  role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(bucket)}.Arn>/*]`,
    reason: 'Reads any object of the feeds bucket: each object is one threat-intel feed, and feeds are added without redeploying the functions.',
  });
}

/** Reading one secret; keys it is encrypted with are granted separately by the caller. */
export function grantSecretRead(role: IRole, secret: ISecret): void {
  secret.grantRead(role);
}

const unscopedByRole = new WeakMap<IRole, string[]>();

/**
 * Grants actions that support no resource-level permissions (Describe*,
 * X-Ray, Cost Explorer) on `*`, and acknowledges cdk-nag's wildcard finding
 * on the role with the list of exactly those actions and why.
 */
export function allowUnscoped(role: IRole, actions: string[], why: string): void {
  role.addToPrincipalPolicy(new PolicyStatement({ actions, resources: ['*'] }));
  const list = unscopedByRole.get(role) ?? [];
  list.push(`${actions.join(', ')} (${why})`);
  unscopedByRole.set(role, list);
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: `Only actions without resource-level permissions are granted on *: ${list.join('; ')}. Every other grant of this role names its resources.`,
  });
}

/** The logical id of a construct's resource, as cdk-nag prints it in finding ids. */
export function logicalIdOf(c: IConstruct): string {
  return Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);
}
