import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { pipelineCatalog } from '../../shared/contexts/index.ts';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { type EventEnvelope, parseEnvelope } from '../../shared/kit/events/envelope.ts';
import { fromEventBridgeEvent, isEnvelopeDetail } from '../../shared/kit/events/eventbridge.ts';
import { isJsonObject } from '../../shared/kit/events/json.ts';

/** Reads the envelope out of an SQS body that holds an EventBridge event (rule target → queue). */
export function envelopeFromSqsBody(body: string): EventEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new ValidationError('body is not valid JSON', '', cause);
  }
  if (typeof parsed !== 'object' || parsed === null || !('detail' in parsed)) {
    throw new ValidationError('not an EventBridge event (no detail)', 'detail');
  }
  const envelope = parseEnvelope(recordedDetail(parsed as Record<string, unknown>), 'detail');
  try {
    JSON.stringify(envelope);
  } catch (cause) {
    // Free-form metadata nested thousands of levels deep parses but cannot be stored as JSON again.
    throw new ValidationError('envelope cannot be serialized (nested too deeply)', 'detail', cause);
  }
  return envelope;
}

/**
 * The envelope to record: the detail itself, or, when a producer put bare data of a catalog type (no
 * envelope), the envelope the pipeline's intake derives from the EventBridge event, its data checked
 * against the catalog (bare data that is not the type's data is refused, not recorded under its name).
 */
function recordedDetail(event: Record<string, unknown>): unknown {
  const { detail } = event;
  const type = event['detail-type'];
  const bare = isJsonObject(detail) && !isEnvelopeDetail(detail);
  return bare && typeof type === 'string' && pipelineCatalog.isType(type)
    ? fromEventBridgeEvent(pipelineCatalog, event)
    : detail;
}

export type RecordOutcome = 'recorded' | 'duplicate';

/**
 * Stores the event once. A redelivered message hits the condition and counts as done,
 * which is what makes this consumer idempotent under at-least-once delivery.
 */
export async function recordEvent(
  dynamo: DynamoDBClient,
  tableName: string,
  event: EventEnvelope,
  now: () => Date = () => new Date(),
): Promise<RecordOutcome> {
  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: `EVENT#${event.id}` },
          type: { S: event.type },
          version: { N: String(event.version) },
          source: { S: event.source },
          correlationId: { S: event.correlationId },
          recordedAt: { S: now().toISOString() },
          envelope: { S: JSON.stringify(event) },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return 'recorded';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'duplicate';
    throw error;
  }
}
