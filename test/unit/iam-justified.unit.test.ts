import { describe, expect, it } from 'vitest';
import { justifyUnused } from '../support/iam/justified.ts';

const grant = (action: string, resource: string) => ({
  function: 'OrdersSagaHandlerFunction8AE958E8',
  policy: 'OrdersSagaHandlerRoleDefaultPolicyF537A2D6',
  statement: '3',
  action,
  resource,
});
const table =
  'arn:aws:dynamodb:us-east-1:000000000000:table/OrderPipeline-e2e-EventStoreTable9A84AAAA-0334520FC1E28';
const dlq = 'arn:aws:sqs:us-east-1:000000000000:OrderPipeline-e2e-OrdersSagaWorkDlqQueueC2B1-1A2B3C';

describe('unused grants need a reason', () => {
  it('keeps a grant whose code path the e2e run did not take, with that path as the reason', () => {
    const { justified, unjustified } = justifyUnused([
      grant('sqs:SendMessage', dlq),
      grant('dynamodb:DeleteItem', table),
    ]);

    expect(unjustified).toEqual([]);
    expect(justified.map((g) => g.why)).toEqual([
      expect.stringContaining('dead-letters it with its reason'),
      expect.stringContaining('released when the handler fails'),
    ]);
  });

  it('reports a grant no reason covers, even an action justified on another resource', () => {
    const scan = grant('dynamodb:Scan', table);
    const sendToTable = grant('sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:SomeoneElsesQueue');

    expect(justifyUnused([scan, sendToTable]).unjustified).toEqual([scan, sendToTable]);
  });
});
