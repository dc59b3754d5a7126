import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Resources in the shared moto server: every test makes its own, with a
 * unique name, so test files can run in parallel against one server.
 */

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The responder's single table, as the stack defines it (pk/sk, TTL on expiresAt). */
export async function createResponderTable(name = unique('responder')): Promise<string> {
  const ddb = new DynamoDBClient({});
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
  return name;
}

/**
 * A document client whose reads all happen before any write, and whose
 * writes then go out one at a time, as DynamoDB applies writes to one item.
 * moto does not: it runs requests in threads (and a cancelled transaction
 * restores a copy of the table taken before it started). So every one of
 * `runs` concurrent writers reads the same record, and all but one lose
 * their conditional write. `writes` records each write's result in order.
 */
export function racingClient(runs: number): { client: DynamoDBDocumentClient; writes: string[] } {
  const base = new DynamoDBClient({});
  let reads = 0;
  let allRead!: () => void;
  const barrier = new Promise<void>((r) => (allRead = r));
  let queue: Promise<unknown> = Promise.resolve();
  const writes: string[] = [];
  base.middlewareStack.add(
    (next, context) => async (args) => {
      if (/^(Get|Query|BatchGet)(Item)?Command$/.test(context.commandName ?? '')) {
        const out = await next(args);
        if (++reads === runs) allRead();
        return out;
      }
      await barrier;
      const run = queue.then(() => next(args));
      queue = run.then(
        () => writes.push('ok'),
        (err: Error) => writes.push(err.name),
      );
      return run;
    },
    { step: 'initialize', name: 'readsFirstThenOneWriteAtATime' },
  );
  return { client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }), writes };
}
