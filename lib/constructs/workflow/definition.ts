import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Choice, Condition, Errors, Fail, IntegrationPattern, JitterType, JsonPath, Pass, Result, Succeed, TaskInput, Timeout, Wait, WaitTime, type IChainable, type State } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/**
 * The escalation workflow, state by state (JSONPath, Standard). Each task
 * reads what it needs from the state and writes its result under one key:
 *
 *   $.finding      the finding (re-assessed after enrichment)
 *   $.groupKey     its correlation group in the ledger
 *   $.enrichment   what the account says about it now
 *   $.plan         the containment dry run shown to the approver
 *   $.approval     the approval request (escalated findings)
 *   $.decision     what the approver decided
 *   $.containment  what quarantine did (manifest, snapshots, each ENI)
 *   $.outcome      how it ended
 *   $.failure      which state failed, and why
 *
 * Every task retries throttling and transient errors with backoff, and
 * catches everything else into "Notify the failure", which says what
 * failed and where.
 */

export interface WorkflowTasks {
  readonly enrich: IFunction;
  readonly assess: IFunction;
  readonly record: IFunction;
  readonly tag: IFunction;
  readonly notify: IFunction;
  readonly requestApproval: IFunction;
  readonly awaitDecision: IFunction;
  /** Plan (dry run), prepare and isolate: containment, one function. */
  readonly contain: IFunction;
}

export interface DefinitionOptions {
  /** 'approval': escalated findings wait for a human; 'notify-only': they never do. */
  readonly containment: 'approval' | 'notify-only';
  /** How long approval links work; the wait ends then. */
  readonly approvalTtl: Duration;
  /** Between untracking and isolating. */
  readonly untrackWait: Duration;
}

/** Errors worth another attempt: Lambda's own, throttling, and the responder's TransientError. */
export const RETRYABLE = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'TransientError',
  'ThrottlingException',
];

/**
 * A Lambda task as every task of these state machines is: the payload in,
 * the result under `resultPath`, retries on throttling and transient
 * errors, and (with `onFailure`) every other error caught into it.
 */
function lambdaTask(
  scope: Construct,
  name: string,
  fn: IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
  options: { onFailure?: IChainable; maxAttempts?: number; catchResultPath?: string } = {},
): LambdaInvoke {
  const t = new LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payload: TaskInput.fromObject(payload),
    payloadResponseOnly: true,
    resultPath,
    retryOnServiceExceptions: false,
  });
  t.addRetry({ errors: RETRYABLE, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: options.maxAttempts ?? 4, jitterStrategy: JitterType.FULL });
  if (options.onFailure) t.addCatch(options.onFailure, { resultPath: options.catchResultPath ?? '$.error' });
  return t;
}

export function buildDefinition(scope: Construct, tasks: WorkflowTasks, options: DefinitionOptions): IChainable {
  // Failure path: shared by every task's Catch, told which state failed.
  const failed = new Fail(scope, 'Workflow failed', { error: 'WorkflowFailed', causePath: '$.failure.cause' });
  const recordFailure = lambdaTask(scope, 'Record the failure', tasks.record, { 'finding.$': '$.finding', event: { kind: 'failed', 'detail.$': '$.failure' } }, JsonPath.DISCARD, {
    onFailure: failed,
    maxAttempts: 3,
    catchResultPath: '$.recordFailureError',
  });
  const notifyFailure = lambdaTask(scope, 'Notify the failure', tasks.notify, { kind: 'failure', 'findingId.$': '$.finding.findingId', 'failure.$': '$.failure' }, JsonPath.DISCARD, {
    onFailure: recordFailure,
    catchResultPath: '$.notifyFailureError',
  });
  notifyFailure.next(recordFailure);
  recordFailure.next(failed);

  const task = (name: string, fn: IFunction, payload: Record<string, unknown>, resultPath: string, onFailure: IChainable = notifyFailure): LambdaInvoke =>
    lambdaTask(scope, name, fn, payload, resultPath, { onFailure: whereItFailed(scope, name, onFailure) });


  // 1-4: enrich, assess, record, tag.
  const enrich = task('Describe the instances and the account', tasks.enrich, { 'finding.$': '$.finding' }, '$.enrichment');
  const assess = task('Assess with what was learned', tasks.assess, { 'finding.$': '$.finding', 'groupKey.$': '$.groupKey', 'enrichment.$': '$.enrichment' }, '$.finding');
  const record = task('Record the finding', tasks.record, { 'finding.$': '$.finding', event: { kind: 'assessed', 'detail.$': '$.enrichment.errors' } }, '$.recorded');
  const tag = task('Tag the instances and addresses', tasks.tag, { 'finding.$': '$.finding' }, '$.tags');

  // 7: how it ended, recorded on every path.
  const done = new Succeed(scope, 'Done');
  const recordOutcome = task('Record the outcome', tasks.record, { 'finding.$': '$.finding', event: { kind: 'outcome', 'detail.$': '$.outcome' } }, '$.recorded');
  recordOutcome.next(done);

  // 5 (Tier 1, or Tier 2 without containment): one notification and done.
  const outcome = (name: string, kind: string, summary: string): Pass =>
    new Pass(scope, name, { result: Result.fromObject({ kind, summary }), resultPath: '$.outcome' });
  const notifyInformational = task('Notify the Tier 1 finding', tasks.notify, notifyPayload(false), '$.notified');
  const notEscalated = outcome('Not escalated', 'not-escalated', 'Tier 1: informational; no approval is needed.');
  notifyInformational.next(notEscalated);
  notEscalated.next(recordOutcome);

  let escalated: State;
  if (options.containment === 'approval') {
    // 5-6 (Tier 2): notify, ask for a decision, wait (task token) until the
    // approver answers or the links expire.
    const notifyEscalation = task('Notify the escalation', tasks.notify, notifyPayload(true), '$.notified');
    const requestApproval = task('Create the approval request', tasks.requestApproval, { 'finding.$': '$.finding', 'plan.$': '$.plan' }, '$.approval');
    // The dry run: what approving will change, shown to the approver.
    const planContainment = task('Plan the containment (dry run)', tasks.contain, { action: 'plan', 'finding.$': '$.finding' }, '$.plan');
    const notifyApprovers = task('Notify the approvers', tasks.notify, { kind: 'approval', 'finding.$': '$.finding', 'approval.$': '$.approval', 'plan.$': '$.plan' }, '$.notifiedApproval');
    // A decision (or its absence) is news: notified, then recorded. Only
    // this branch has one; Step Functions rejects a state nothing reaches.
    const notifyOutcome = task('Notify the outcome', tasks.notify, { kind: 'outcome', 'finding.$': '$.finding', 'outcome.$': '$.outcome' }, '$.notifiedOutcome');
    notifyOutcome.next(recordOutcome);
    const recordRequest = task('Record the approval request', tasks.record, { 'finding.$': '$.finding', event: { kind: 'approval-requested', 'detail.$': '$.approval' } }, '$.recorded');
    const wait = new LambdaInvoke(scope, 'Wait for a decision', {
      lambdaFunction: tasks.awaitDecision,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({ taskToken: JsonPath.taskToken, 'approval.$': '$.approval' }),
      resultPath: '$.decision',
      taskTimeout: Timeout.duration(options.approvalTtl),
      retryOnServiceExceptions: false,
    });
    wait.addRetry({ errors: RETRYABLE, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 4, jitterStrategy: JitterType.FULL });
    const noDecision = new Pass(scope, 'No decision by the deadline', {
      parameters: {
        kind: 'no-decision',
        'summary.$': "States.Format('Not contained: no decision by {}, when the approval links expired.', $.approval.expiresAt)",
        'expiresAt.$': '$.approval.expiresAt',
      },
      resultPath: '$.outcome',
    });
    wait.addCatch(noDecision, { errors: [Errors.TIMEOUT], resultPath: '$.error' });
    wait.addCatch(whereItFailed(scope, 'Wait for a decision', notifyFailure), { resultPath: '$.error' });
    noDecision.next(notifyOutcome);

    // A containment step that fails for any reason (its own ContainmentError
    // already names each ENI; a timeout does not) is followed by a read of
    // where every ENI stands, added to the failure notice.
    const readInterfaces = lambdaTask(scope, 'Read where each interface stands', tasks.contain, { action: 'status', 'findingId.$': '$.finding.findingId' }, '$.interfaces', {
      onFailure: notifyFailure,
      maxAttempts: 3,
      catchResultPath: '$.interfacesError',
    });
    const withInterfaces = new Pass(scope, 'Add the interface states to the failure', {
      parameters: {
        'state.$': '$.failure.state',
        'error.$': '$.failure.error',
        'cause.$': "States.Format('{} Interfaces now: {}', $.failure.cause, $.interfaces.interfaces)",
      },
      resultPath: '$.failure',
    });
    readInterfaces.next(withInterfaces);
    withInterfaces.next(notifyFailure);

    // Approved: quarantine. Evidence and untracking first, a wait for flows
    // tracked under the old groups to turn untracked, then isolation.
    const preserve = task('Preserve the evidence and untrack flows', tasks.contain, { action: 'prepare', 'finding.$': '$.finding' }, '$.containment', readInterfaces);
    const untrackWait = new Wait(scope, 'Let tracked flows go untracked', { time: WaitTime.duration(options.untrackWait) });
    const isolate = task('Isolate the instances', tasks.contain, { action: 'isolate', 'finding.$': '$.finding' }, '$.containment', readInterfaces);
    const contained = new Pass(scope, 'Contained', {
      parameters: {
        kind: 'contained',
        'summary.$': "States.Format('Approved by {} at {}. {}', $.decision.approver, $.decision.decidedAt, $.containment.summary)",
        'decision.$': '$.decision',
        'containment.$': '$.containment',
      },
      resultPath: '$.outcome',
    });
    // Contained by approval, or because the policy says automatic.
    const containedByPolicy = new Pass(scope, 'Contained automatically', {
      parameters: {
        kind: 'contained',
        'summary.$': "States.Format('Contained automatically ({}). {}', $.finding.containmentPolicy.rule, $.containment.summary)",
        'policyRule.$': '$.finding.containmentPolicy.rule',
        'containment.$': '$.containment',
      },
      resultPath: '$.outcome',
    });
    const how = new Choice(scope, 'By approval or by policy?').when(Condition.isPresent('$.decision'), contained).otherwise(containedByPolicy);
    preserve.next(untrackWait).next(isolate).next(how);
    containedByPolicy.next(notifyOutcome);
    const rejected = new Pass(scope, 'Rejected: not contained', {
      parameters: {
        kind: 'rejected',
        'summary.$': "States.Format('Not contained: rejected by {} at {}.', $.decision.approver, $.decision.decidedAt)",
        'decision.$': '$.decision',
      },
      resultPath: '$.outcome',
    });
    contained.next(notifyOutcome);
    rejected.next(notifyOutcome);
    const decided = new Choice(scope, 'Approved?').when(Condition.stringEquals('$.decision.decision', 'approve'), preserve).otherwise(rejected);
    notifyEscalation.next(planContainment).next(requestApproval).next(notifyApprovers).next(recordRequest).next(wait).next(decided);

    // The containment policy (per OU and account tag, decided at assessment)
    // may say never, a dry run, or automatic; otherwise a person decides.
    const policy = (action: string) => Condition.and(Condition.isPresent('$.finding.containmentPolicy.action'), Condition.stringEquals('$.finding.containmentPolicy.action', action));
    const isDryRun = Condition.and(Condition.isPresent('$.finding.containmentPolicy.dryRun'), Condition.booleanEquals('$.finding.containmentPolicy.dryRun', true));

    const notifyNever = task('Notify the escalation: never contained here', tasks.notify, notifyPayload(false), '$.notified');
    const never = new Pass(scope, 'Not contained: policy says never', {
      parameters: {
        kind: 'notify-only',
        'summary.$': "States.Format('Escalated; the containment policy says never for this account ({}).', $.finding.containmentPolicy.rule)",
        'policyRule.$': '$.finding.containmentPolicy.rule',
      },
      resultPath: '$.outcome',
    });
    notifyNever.next(never);
    never.next(recordOutcome);

    const notifyDryRun = task('Notify the escalation: dry run', tasks.notify, notifyPayload(false), '$.notified');
    const planDryRun = task('Plan the containment (policy dry run)', tasks.contain, { action: 'plan', 'finding.$': '$.finding' }, '$.plan');
    const dryRun = new Pass(scope, 'Dry run: not contained', {
      parameters: {
        kind: 'dry-run',
        'summary.$': "States.Format('Dry run ({}): the plan below was made, nothing was changed.', $.finding.containmentPolicy.rule)",
        'policyRule.$': '$.finding.containmentPolicy.rule',
        'plan.$': '$.plan',
      },
      resultPath: '$.outcome',
    });
    notifyDryRun.next(planDryRun).next(dryRun);
    dryRun.next(notifyOutcome);

    const notifyAutomatic = task('Notify the escalation: automatic containment', tasks.notify, notifyPayload(false), '$.notified');
    const planAutomatic = task('Plan the automatic containment', tasks.contain, { action: 'plan', 'finding.$': '$.finding' }, '$.plan');
    notifyAutomatic.next(planAutomatic).next(preserve);

    escalated = new Choice(scope, 'Containment policy?')
      .when(policy('never'), notifyNever)
      .when(isDryRun, notifyDryRun)
      .when(policy('automatic'), notifyAutomatic)
      .otherwise(notifyEscalation);
  } else {
    const notifyOnly = task('Notify the escalation', tasks.notify, notifyPayload(false), '$.notified');
    const noContainment = outcome('Containment is off', 'notify-only', 'Escalated; this deployment only notifies (containment mode notify-only).');
    notifyOnly.next(noContainment);
    noContainment.next(recordOutcome);
    escalated = notifyOnly;
  }

  const isEscalated = new Choice(scope, 'Escalated to Tier 2?').when(Condition.booleanEquals('$.finding.escalate', true), escalated).otherwise(notifyInformational);
  return enrich.next(assess).next(record).next(tag).next(isEscalated);
}

function notifyPayload(approvalFollows: boolean): Record<string, unknown> {
  return { kind: 'finding', 'finding.$': '$.finding', 'enrichment.$': '$.enrichment', approvalFollows };
}

/** A Catch target that names the failed state, then joins the shared failure path. */
function whereItFailed(scope: Construct, state: string, next: IChainable): Pass {
  const p = new Pass(scope, `${state}: failed`, {
    parameters: { state, 'error.$': '$.error.Error', 'cause.$': '$.error.Cause' },
    resultPath: '$.failure',
  });
  p.next(next);
  return p;
}

export interface OperationsTasks {
  readonly contain: IFunction;
  readonly notify: IFunction;
  readonly record: IFunction;
}

/**
 * The operators' state machine: release a contained finding, or run (and
 * finish) its quarantine by hand, e.g. after a partial failure. Input:
 * `{"action": "release" | "contain", "findingId": "...", "requestedBy": "..."}`.
 * What changed is notified and recorded like a workflow outcome; nothing to
 * do (never contained, already released) ends quietly with the reason.
 */
export function buildOperationsDefinition(scope: Construct, tasks: OperationsTasks): IChainable {
  const failed = new Fail(scope, 'Operation failed', { error: 'OperationFailed', causePath: '$.failure.cause' });
  const notifyFailure = lambdaTask(scope, 'Notify the failure', tasks.notify, { kind: 'failure', 'findingId.$': '$.request.findingId', 'failure.$': '$.failure' }, JsonPath.DISCARD, {
    onFailure: failed,
    catchResultPath: '$.notifyFailureError',
  });
  notifyFailure.next(failed);
  const task = (name: string, fn: IFunction, payload: Record<string, unknown>, resultPath: string): LambdaInvoke =>
    lambdaTask(scope, name, fn, payload, resultPath, { onFailure: whereItFailed(scope, name, notifyFailure) });
  // requestedBy is optional in the input; a JSONPath to a missing field would
  // fail the execution with an uncatchable States.Runtime error.
  const request = new Pass(scope, 'Read the request', {
    parameters: { 'request.$': 'States.JsonMerge(States.StringToJson(\'{"requestedBy":"an operator (unnamed)"}\'), $, false)' },
  });
  const run = task('Run the operation', tasks.contain, { 'action.$': '$.request.action', 'findingId.$': '$.request.findingId', 'requestedBy.$': '$.request.requestedBy' }, '$.result');
  const notify = task('Notify what changed', tasks.notify, { kind: 'outcome', 'finding.$': '$.result.finding', 'outcome.$': '$.result.outcome' }, '$.notified');
  const record = task('Record what changed', tasks.record, { 'finding.$': '$.result.finding', event: { kind: 'outcome', 'detail.$': '$.result.outcome' } }, '$.recorded');
  const done = new Succeed(scope, 'Operation done');
  const nothing = new Succeed(scope, 'Nothing to do', { outputPath: '$.result' });
  notify.next(record).next(done);
  const changed = new Choice(scope, 'Anything changed?')
    .when(Condition.and(Condition.booleanEquals('$.result.changed', true), Condition.isPresent('$.result.finding')), notify)
    .otherwise(nothing);
  return request.next(run).next(changed);
}
