import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbSimulatedPaymentProvider } from '../../shared/contexts/orders/adapters/dynamodb-simulated-payment-provider.ts';
import { PaymentProviderUnavailableError } from '../../shared/contexts/orders/domain/payment-provider.ts';
import { createEventStoreTable } from '../../shared/kit/event-store/dynamodb-table.ts';
import { emulatorClientConfig } from '../support/aws.ts';

const client = new DynamoDBClient(emulatorClientConfig());
// The provider keeps its ledger in the event store's table, as it does when deployed.
const tableName = `payment-provider-int-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await createEventStoreTable(client, tableName);
});

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

/** A provider as one Lambda execution environment holds it; two of them share only the table. */
const environment = () => new DynamoDbSimulatedPaymentProvider({ client, tableName });

function request(token: string) {
  const orderId = `ord-${randomUUID().slice(0, 8)}`;
  return { orderId, amount: 34, currency: 'EUR', token, idempotencyKey: `authorize#${orderId}` };
}

describe('simulated payment provider with its memory in DynamoDB', () => {
  it('fails a tok_flaky order twice and authorizes the third attempt, counting across environments', async () => {
    // Arrange: each attempt in a different execution environment, as Lambda retries may be.
    const call = request('tok_flaky');

    // Act
    const first = environment().authorize(call);
    await expect(first).rejects.toBeInstanceOf(PaymentProviderUnavailableError);
    const second = environment().authorize(call);
    await expect(second).rejects.toThrow('simulated outage (attempt 2)');
    const third = await environment().authorize(call);

    // Assert
    expect(third).toMatchObject({ outcome: 'authorized', authorizationId: expect.stringMatching(/^auth-/) });
    expect(await environment().ledger(call.idempotencyKey)).toMatchObject({
      attempts: 3,
      answer: { outcome: 'authorized', attempt: 3 },
    });
  });

  it('answers a repeated key with its first answer, even when the calls race', async () => {
    // Arrange
    const call = request('tok_visa_4242');

    // Act
    const answers = await Promise.all([environment().authorize(call), environment().authorize(call)]);
    const later = await environment().authorize(call);

    // Assert
    expect(answers[1]).toEqual(answers[0]);
    expect(later).toEqual(answers[0]);
    expect((await environment().ledger(call.idempotencyKey)).attempts).toBe(3);
  });

  it('declines tok_declined and remembers the decline', async () => {
    const call = request('tok_declined');

    const answer = await environment().authorize(call);

    expect(answer).toEqual({ outcome: 'declined', reason: 'card declined' });
    expect((await environment().ledger(call.idempotencyKey)).answer).toMatchObject({ outcome: 'declined' });
  });

  it('never answers tok_timeout: the call ends only when its signal aborts, and nothing is decided', async () => {
    // Arrange
    const call = request('tok_timeout');
    const controller = new AbortController();

    // Act
    const pending = environment().authorize(call, controller.signal);
    setTimeout(() => controller.abort(new Error('call timed out')), 300);

    // Assert
    await expect(pending).rejects.toThrow('call timed out');
    expect(await environment().ledger(call.idempotencyKey)).toEqual({ attempts: 1 });
  });

  it('records voids, and voiding twice is harmless', async () => {
    const provider = environment();

    await provider.void('auth-int-1');
    await provider.void('auth-int-1');

    expect(await provider.isVoided('auth-int-1')).toBe(true);
    expect(await provider.isVoided('auth-never')).toBe(false);
  });
});
