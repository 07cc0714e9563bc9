import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig } from '../../shared/kit/aws/client-config.ts';
import type { Target } from '../cloud/target.ts';
import type { DoctorClients } from './types.ts';

/** Clients for the target; the endpoint is explicit so nothing depends on ambient environment. */
export function doctorClients(target: Target): DoctorClients {
  const config = clientConfig({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    maxAttempts: 3,
  });
  return {
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    events: new EventBridgeClient(config),
    dynamodb: new DynamoDBClient(config),
    lambda: new LambdaClient(config),
    iam: new IAMClient(config),
    cloudformation: new CloudFormationClient(config),
  };
}

/** Releases the clients' sockets so the process can exit promptly. */
export function destroyClients(clients: DoctorClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
