import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EngineSettings } from '../../../lambdas/core/settings';
import { allowUnscoped } from './grants';
import { ESM_REQUIRE_BANNER, LAMBDA_EXTERNALS, LAMBDA_TARGET, MAIN_FIELDS, settingsDefine } from './bundling';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** With organisation-wide forwarding: the member role, and the organisation it may be assumed in. */
export interface MemberAccessProps {
  readonly roleName: string;
  readonly organizationId?: string;
}

export interface ResponderFunctionProps {
  /** Handler file under lambdas/handlers, without extension (`score`). */
  readonly handler: string;
  readonly description: string;
  /** Compiled into the bundle (`process.env.RESPONDER_SETTINGS`), so a config change is a code change. */
  readonly settings: EngineSettings;
  readonly logRetention: RetentionDays;
  /** Encrypts the function's log group. */
  readonly encryptionKey: IKey;
  /** @default - none */
  readonly environment?: Record<string, string>;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
}

/**
 * Every Lambda of the responder, with the same defaults: Node.js 24 on
 * arm64, X-Ray tracing, its own KMS-encrypted log group with retention, a
 * role of its own with nothing but that log group (callers grant the
 * rest), and esbuild bundling (ESM, minified, source maps; which parts of
 * the AWS SDK are bundled and which come from the runtime, and why, is in
 * ./bundling.ts).
 */
export class ResponderFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ResponderFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (rogue-infra-responder)`,
    });
    super(scope, id, {
      entry: path.join(root, 'lambdas/handlers', `${props.handler}.ts`),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      logGroup,
      role,
      depsLockFilePath: path.join(root, 'package-lock.json'),
      projectRoot: root,
      environment: {
        POWERTOOLS_SERVICE_NAME: `rogue-infra-${props.handler}`,
        POWERTOOLS_METRICS_NAMESPACE: 'RogueInfraResponder',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: LAMBDA_TARGET,
        minify: true,
        sourceMap: true,
        // Stack traces need the mappings, not the sources: a map without
        // them is a third the size, and Node parses it at every cold start.
        sourcesContent: false,
        mainFields: MAIN_FIELDS,
        externalModules: LAMBDA_EXTERNALS,
        banner: ESM_REQUIRE_BANNER,
        define: settingsDefine(props.settings),
      },
    });
    logGroup.grantWrite(role);
    this.responderRole = role;
    // Tracing: the X-Ray write API has no resource-level permissions.
    this.allowUnscoped(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], 'X-Ray trace writes');
  }

  readonly responderRole: Role;

  /**
   * Lets the function reach member accounts through their member role
   * (lambdas/adapters/member.ts): `sts:AssumeRole` on that role name only,
   * in accounts of the organisation only, and the names it needs.
   */
  allowMemberAccess(access: MemberAccessProps, why: string): void {
    this.addEnvironment('MEMBER_ROLE_NAME', access.roleName);
    this.addEnvironment('ACCOUNT_ID', Stack.of(this).account);
    this.responderRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [`arn:aws:iam::*:role/${access.roleName}`],
        ...(access.organizationId ? { conditions: { StringEquals: { 'aws:ResourceOrgID': access.organizationId } } } : {}),
      }),
    );
    Validations.of(this.responderRole).acknowledge({ id: `AwsSolutions-IAM5[Resource::arn:aws:iam::*:role/${access.roleName}]`, reason: why });
  }

  /** Grants actions that have no resource-level permissions on `*` (see shared/grants.ts). */
  allowUnscoped(actions: string[], why: string): void {
    allowUnscoped(this.responderRole, actions, why);
  }
}

