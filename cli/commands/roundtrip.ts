import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { clientsFor } from '../cloud/clients.ts';
import type { Target } from '../cloud/target.ts';
import { CliError } from '../output.ts';

export interface RoundTripResult {
  readonly eventId: string;
  readonly ms: number;
}

/**
 * Puts one event on the bus and waits until the recorder Lambda has written it to its table:
 * the proof that bus → rule → queue → Lambda → DynamoDB works on this target.
 */
export async function roundTrip(
  target: Target,
  outputs: Record<string, string>,
  timeoutMs = 30_000,
): Promise<RoundTripResult> {
  const busName = outputs[OUTPUTS.busName];
  const tableName = outputs[OUTPUTS.recordedEventsTable];
  if (!busName || !tableName) {
    throw new CliError(
      `The stack has no ${OUTPUTS.busName}/${OUTPUTS.recordedEventsTable} outputs.`,
      'Run `pipeline deploy`. The round trip needs the walking skeleton, which only dev stacks have (not --stage prod).',
    );
  }
  const { events, dynamodb: dynamo } = clientsFor(target);
  const id = randomUUID();
  const envelope = {
    id,
    type: 'RoundTripProbe',
    version: 1,
    source: 'orders.cli',
    time: new Date().toISOString(),
    correlationId: id,
    data: { purpose: 'pipeline round trip' },
  };
  const started = Date.now();
  const put = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: busName,
          Source: envelope.source,
          DetailType: envelope.type,
          Detail: JSON.stringify(envelope),
        },
      ],
    }),
  );
  if (put.FailedEntryCount) {
    throw new CliError(`PutEvents rejected the probe: ${put.Entries?.[0]?.ErrorMessage ?? 'unknown reason'}`);
  }
  while (Date.now() - started < timeoutMs) {
    const item = await dynamo.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `EVENT#${id}` } } }),
    );
    if (item.Item) return { eventId: id, ms: Date.now() - started };
    await sleep(200);
  }
  throw new CliError(
    `The probe event ${id} did not arrive in ${tableName} within ${timeoutMs / 1000} s.`,
    'Check `pipeline status` and the emulator log (.local/ministack-<instance>.log); messages may be in the recorder DLQ.',
  );
}
