import { describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { e2eStack, runCli } from '../support/cli.ts';

describe('pipeline status against the deployed stack', () => {
  it('reports every queue of the stack with its depth, telling DLQs from work queues', () => {
    // Act
    const run = runCli(['status', '--stack', e2eStack, '--json']);

    // Assert
    expect(run.status).toBe(0);
    const status = JSON.parse(run.stdout) as {
      outputs: Record<string, string>;
      queues: { url: string; isDlq: boolean; visible: number; inFlight: number }[];
      dlqMessages: number;
      sagasByStatus: Record<string, number>;
    };
    const recorderDlq = status.queues.find((q) => q.url === status.outputs[OUTPUTS.recorderDlqUrl]);
    const recorderQueue = status.queues.find((q) => q.url === status.outputs[OUTPUTS.recorderQueueUrl]);
    expect(recorderDlq?.isDlq).toBe(true);
    expect(recorderQueue?.isDlq).toBe(false);
    const dlqTotal = status.queues.filter((q) => q.isDlq).reduce((n, q) => n + q.visible + q.inFlight, 0);
    expect(status.dlqMessages).toBe(dlqTotal);
    expect(Object.keys(status.sagasByStatus).sort()).toEqual([
      'CANCELLED',
      'CANCELLING',
      'CONFIRMED',
      'INVENTORY_RESERVED',
      'PAYMENT_AUTHORIZED',
      'PLACED',
    ]);
    for (const count of Object.values(status.sagasByStatus)) expect(Number.isInteger(count)).toBe(true);
  });

  it('points at `pipeline up` when the stack does not exist', () => {
    const run = runCli(['status', '--stack', 'NoSuchStack']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not deployed[\s\S]*pipeline up/);
  });
});
