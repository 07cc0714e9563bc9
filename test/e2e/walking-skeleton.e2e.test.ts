import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { eventually, testClients } from '../support/aws.ts';
import { stackOutput } from '../support/stack-outputs.ts';

const { events, sqs, dynamo } = testClients();

async function putOnBus(detailType: string, detail: unknown) {
  return events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: stackOutput(OUTPUTS.busName),
          Source: 'orders.e2e',
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
}

describe('walking skeleton: bus → rule → queue (+DLQ) → Lambda → DynamoDB', () => {
  it('records an event put on the bus in the table', async () => {
    // Arrange
    const id = randomUUID();
    const envelope = {
      id,
      type: 'OrderPlaced',
      version: 1,
      source: 'orders.e2e',
      time: new Date().toISOString(),
      correlationId: `corr-${id}`,
      data: { orderId: `order-${id}` },
    };

    // Act
    const put = await putOnBus('OrderPlaced', envelope);
    const item = await eventually(async () => {
      const found = await dynamo.send(
        new GetItemCommand({
          TableName: stackOutput(OUTPUTS.recordedEventsTable),
          Key: { pk: { S: `EVENT#${id}` } },
        }),
      );
      return found.Item;
    });

    // Assert
    expect(put.FailedEntryCount).toBe(0);
    expect(item?.correlationId?.S).toBe(`corr-${id}`);
    expect(JSON.parse(item?.envelope?.S ?? '{}')).toEqual(envelope);
  });

  it('moves a poison event to the dead-letter queue at once, with its reason (transient failures use the redrive policy)', async () => {
    // Arrange: a detail that is neither an envelope nor OrderPlaced data: retrying cannot help, so the
    // consumer dead-letters it, naming the first field the data lacks.
    const marker = `poison-${randomUUID()}`;
    const dlqUrl = stackOutput(OUTPUTS.recorderDlqUrl);
    const queueAttributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stackOutput(OUTPUTS.recorderQueueUrl),
        AttributeNames: ['RedrivePolicy'],
      }),
    );
    const maxReceiveCount = JSON.parse(queueAttributes.Attributes?.RedrivePolicy ?? '{}').maxReceiveCount;

    // Act
    await putOnBus('OrderPlaced', { marker, notAnEnvelope: true });
    const dead = await eventually(
      async () => {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
            MessageAttributeNames: ['All'],
          }),
        );
        return received.Messages?.find((m) => m.Body?.includes(marker));
      },
      { timeoutMs: 90_000 },
    );

    // Assert: it arrived intact, with the reason; the queue still redrives what keeps failing.
    expect(maxReceiveCount).toBe(3);
    expect(dead, 'poison message never reached the DLQ').toBeDefined();
    expect(JSON.parse(dead?.Body ?? '{}').detail).toEqual({ marker, notAnEnvelope: true });
    expect(dead?.MessageAttributes?.['error-code']?.StringValue).toBe('VALIDATION');
    expect(dead?.MessageAttributes?.['error-path']?.StringValue).toBe('detail.orderId');
  });
});
