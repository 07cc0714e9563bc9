import { describe, expect, it } from 'vitest';
import { clientsFor } from '../../cli/cloud/clients.ts';
import type { Target } from '../../cli/cloud/target.ts';

const emulator: Target = {
  kind: 'endpoint',
  endpoint: 'http://127.0.0.1:4566',
  region: 'eu-west-1',
  env: {},
};
const aws: Target = { kind: 'aws', region: 'eu-west-1', env: {} };

describe('clientsFor', () => {
  it("configures each client with the target's region and emulator endpoint", async () => {
    // Act
    const clients = clientsFor(emulator, { maxAttempts: 2 });

    // Assert
    expect(await clients.sqs.config.region()).toBe('eu-west-1');
    expect(clients.sqs.config.isCustomEndpoint).toBe(true);
    expect(await clients.dynamodb.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 4566 });
    expect(await clients.events.config.maxAttempts()).toBe(2);
    clients.destroy();
  });

  it('sets no endpoint on real AWS', () => {
    const clients = clientsFor(aws);
    expect(clients.lambda.config.isCustomEndpoint).toBe(false);
    clients.destroy();
  });

  it('creates a client on first use only, then hands out the same one', () => {
    // Act
    const clients = clientsFor(emulator);

    // Assert: listing the clients creates none; each is one instance.
    expect(Object.keys(clients)).toEqual(['destroy']);
    expect(clients.cloudformation).toBe(clients.cloudformation);
    clients.destroy();
  });
});
