import { randomUUID } from 'node:crypto';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, inject, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { e2eStack, runCli, startCli } from '../support/cli.ts';

const busName = inject('stackOutputs')[OUTPUTS.busName] as string;

describe('pipeline inject and tail against the deployed stack', () => {
  it('tails exactly the injected events, with their ids, then removes its temporary rule', async () => {
    // Arrange
    const correlationId = `corr-${randomUUID()}`;
    const tail = startCli(
      ['tail', '--stack', e2eStack, '--type', 'OrderPlaced', '--max', '3', '--timeout', '60', '--json'],
      'Tailing',
    );
    await tail.ready;

    // Act
    const injected = runCli([
      'inject',
      'OrderPlaced',
      '--example',
      '--count',
      '3',
      '--correlation-id',
      correlationId,
      '--stack',
      e2eStack,
      '--json',
    ]);
    const tailed = await tail.done;

    // Assert
    expect(injected.status).toBe(0);
    const sent = JSON.parse(injected.stdout) as {
      sent: number;
      failed: number;
      events: { eventId: string }[];
    };
    expect(sent).toMatchObject({ sent: 3, failed: 0 });
    const seen = tailed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; correlationId: string });
    expect(seen.map((e) => e.id).sort()).toEqual(sent.events.map((e) => e.eventId).sort());
    expect(new Set(seen.map((e) => e.correlationId))).toEqual(new Set([correlationId]));
    const rules = await new EventBridgeClient({}).send(
      new ListRulesCommand({ EventBusName: busName, NamePrefix: 'pipeline-tail-' }),
    );
    expect(rules.Rules ?? []).toEqual([]);
  });

  it('rejects an unknown event type with the nearest catalog names and sends nothing', () => {
    const run = runCli(['inject', 'OrderPlacd', '--example', '--stack', e2eStack]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Unknown event type "OrderPlacd"');
    expect(run.stderr).toContain('Did you mean OrderPlaced?');
  });

  it('rejects invalid data naming the field path, before anything is sent', () => {
    const run = runCli([
      'inject',
      'OrderPlaced',
      '--data',
      '{"orderId":"o-1","items":[]}',
      '--stack',
      e2eStack,
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Invalid OrderPlaced event: data\.\w+/);
  });

  it('tells the user to run `pipeline up` when the stack is not deployed', () => {
    const run = runCli(['inject', 'OrderPlaced', '--example', '--stack', 'NoSuchStack']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Stack NoSuchStack is not deployed[\s\S]*pipeline up/);
  });
});
