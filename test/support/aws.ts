import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig } from '../../shared/kit/aws/client-config.ts';

/** SDK clients for the emulator the global setup started (its endpoint is in the environment). */
export function testClients() {
  const config = { region: process.env.AWS_REGION ?? 'us-east-1' };
  return {
    events: new EventBridgeClient(config),
    sqs: new SQSClient(config),
    dynamo: new DynamoDBClient(config),
  };
}

/** SDK options for the emulator at AWS_ENDPOINT_URL (the environment's AWS when unset), with credentials an emulator accepts. */
export function emulatorClientConfig() {
  return {
    ...clientConfig({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL }),
    credentials: { accessKeyId: '000000000000', secretAccessKey: 'test' },
  };
}

/** Polls `probe` until it returns a value (not undefined) or the time is up; returns undefined on timeout. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 250 } = {},
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(intervalMs);
  }
  return undefined;
}
