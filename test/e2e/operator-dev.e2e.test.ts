import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, inject, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { eventually, testClients } from '../support/aws.ts';
import { e2eStack, runCli } from '../support/cli.ts';

const outputs = inject('stackOutputs');

describe('pipeline dev against the deployed stack', () => {
  it('rebuilds every tagged function from the working tree, updates it in place, and the pipeline still answers', async () => {
    // Act
    const run = runCli(['dev', '--stack', e2eStack, '--timeout', '8']);

    // Assert: it synced the functions, watched, stopped cleanly…
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/Syncing \d+ function\(s\) with the working tree/);
    expect(run.stderr).toContain('Watching functions/ and shared/');
    expect(run.stderr).toContain('Stopped watching.');

    // …and the code it uploaded handles events.
    const { events, dynamo } = testClients();
    const id = randomUUID();
    const envelope = {
      id,
      type: 'OrderPlaced',
      version: 1,
      source: 'orders.e2e',
      time: new Date().toISOString(),
      correlationId: id,
      data: { orderId: id },
    };
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: outputs[OUTPUTS.busName],
            Source: 'orders.e2e',
            DetailType: 'OrderPlaced',
            Detail: JSON.stringify(envelope),
          },
        ],
      }),
    );
    const item = await eventually(async () => {
      const found = await dynamo.send(
        new GetItemCommand({
          TableName: outputs[OUTPUTS.recordedEventsTable],
          Key: { pk: { S: `EVENT#${id}` } },
        }),
      );
      return found.Item;
    });
    expect(item?.correlationId?.S).toBe(id);
  });
});
