import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { instrumentClients } from '../../adapters/aws';

/**
 * One logger, metrics and tracer per function, made at module load. The
 * service name and namespace come from POWERTOOLS_* variables the stack
 * sets; the defaults keep tests quiet and local.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rogue-infra-responder' });
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'RogueInfraResponder', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rogue-infra-responder' });
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rogue-infra-responder', enabled: process.env.POWERTOOLS_TRACE_ENABLED !== 'false' });

// Every AWS SDK client the adapters make becomes an X-Ray subsegment.
instrumentClients((client) => tracer.captureAWSv3Client(client));

/**
 * The handler's X-Ray subsegment (cold start annotated by Powertools).
 * Responses are not attached: they hold findings, approval pages and task
 * tokens, which belong in the audit trail, not in trace metadata.
 */
export const traced = () => captureLambdaHandler(tracer, { captureResponse: false });
