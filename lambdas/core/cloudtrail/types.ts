/**
 * The CloudTrail record as AWS documents it (record contents reference),
 * restricted to the fields the engine reads. Everything is optional because
 * real files are not always complete; `normalizeRecord` decides what is
 * required and says why a record was rejected.
 */
export interface SessionIssuer {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
}

export interface UserIdentity {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  sessionContext?: {
    sessionIssuer?: SessionIssuer;
    attributes?: { creationDate?: string; mfaAuthenticated?: string };
    sourceIdentity?: string;
  };
}

export interface CloudTrailRecord {
  eventVersion?: string;
  eventTime?: string;
  '@timestamp'?: string;
  eventSource?: string;
  eventName?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  userIdentity?: UserIdentity;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  eventID?: string;
  requestID?: string;
  recipientAccountId?: string;
  eventType?: string;
  eventCategory?: string;
  readOnly?: boolean;
  managementEvent?: boolean;
  tlsDetails?: { clientProvidedHostHeader?: string };
  [key: string]: unknown;
}

/** Who made the call, reduced to what correlation and approval need. */
export interface Actor {
  /** `userIdentity.arn` as recorded (for AWS services: the service principal). */
  readonly arn: string;
  readonly type: string;
  readonly accountId?: string;
  /** For assumed roles: the role the session was issued from. */
  readonly issuerArn?: string;
  readonly userName?: string;
  readonly accessKeyId?: string;
  /** Set when an AWS service (e.g. Auto Scaling) made the call on our behalf. */
  readonly invokedBy?: string;
}

/** A CloudTrail record after validation: the one shape the engine consumes. */
export interface TrailEvent {
  readonly eventId: string;
  /** Epoch milliseconds. */
  readonly time: number;
  /** ISO 8601, UTC. */
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly region: string;
  readonly accountId: string;
  readonly actor: Actor;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements: Record<string, unknown> | null;
  /** Where the record came from, for people ("file.json.gz#12"); not part of identity. */
  readonly origin?: string;
}
