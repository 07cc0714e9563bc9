import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { type AwsClientSettings, clientConfig } from '../../shared/kit/aws/client-config.ts';
import type { Target } from './target.ts';

const CLIENTS = {
  cloudformation: CloudFormationClient,
  cloudwatch: CloudWatchClient,
  dynamodb: DynamoDBClient,
  events: EventBridgeClient,
  iam: IAMClient,
  kms: KMSClient,
  lambda: LambdaClient,
  logs: CloudWatchLogsClient,
  scheduler: SchedulerClient,
  sns: SNSClient,
  sqs: SQSClient,
  ssm: SSMClient,
  sts: STSClient,
} as const;

type ClientName = keyof typeof CLIENTS;

/** The SDK clients of one target, each created on first use. */
export type TargetClients = { readonly [name in ClientName]: InstanceType<(typeof CLIENTS)[name]> } & {
  /** Releases the sockets of the clients created so far, so the process can exit promptly. */
  destroy(): void;
};

/** Client options beyond the target's own. */
export type ClientOptions = Pick<AwsClientSettings, 'maxAttempts'>;

/**
 * Constructor options for an SDK client on `target`: its region and, off AWS, its endpoint, passed
 * explicitly so a client does not depend on the environment `applyTarget` set. Credentials still come
 * from that environment.
 */
export function targetClientConfig(target: Target, options: ClientOptions = {}) {
  return clientConfig({ region: target.region, endpoint: target.endpoint, ...options });
}

/** The SDK clients for `target`; a command pays only for the clients it uses. */
export function clientsFor(target: Target, options: ClientOptions = {}): TargetClients {
  const config = targetClientConfig(target, options);
  const created = new Map<ClientName, { destroy(): void }>();
  const clients = {
    destroy() {
      for (const client of created.values()) client.destroy();
      created.clear();
    },
  };
  for (const name of Object.keys(CLIENTS) as ClientName[]) {
    // Not enumerable: spreading or listing the clients must not create every one of them.
    Object.defineProperty(clients, name, {
      get() {
        let client = created.get(name);
        if (!client) {
          client = new CLIENTS[name](config);
          created.set(name, client);
        }
        return client;
      },
    });
  }
  return clients as TargetClients;
}
