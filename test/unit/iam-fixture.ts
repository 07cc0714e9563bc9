/**
 * A small synthetic stack for the IAM check's tests: one function whose role may send to a queue
 * and publish to a topic encrypted by a key, a queue policy, a topic policy, a bus with a policy,
 * and an SQS event source. Shaped like what CDK synthesizes, with the intrinsics it uses.
 */
import type { CfnTemplate } from '../support/iam/template.ts';

const arnJoin = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const account = { Ref: 'AWS::AccountId' };
const root = arnJoin('arn:', { Ref: 'AWS::Partition' }, ':iam::', account, ':root');

export function tinyTemplate(
  options: {
    keyPolicyPrincipal?: unknown;
    extraStatements?: unknown[];
    queueDeny?: boolean;
    /** Whether the work queue's policy lets the rule send to it (CDK adds that statement). */
    ruleMaySend?: boolean;
  } = {},
): CfnTemplate {
  return {
    Resources: {
      Work: { Type: 'AWS::SQS::Queue', Properties: {} },
      Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
      WorkPolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: 'Work' }],
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Deny',
                Principal: { AWS: '*' },
                Action: 'sqs:*',
                Resource: { 'Fn::GetAtt': ['Work', 'Arn'] },
                Condition: { Bool: { 'aws:SecureTransport': options.queueDeny ? 'true' : 'false' } },
              },
              ...(options.ruleMaySend === false
                ? []
                : [
                    {
                      Effect: 'Allow',
                      Principal: { Service: 'events.amazonaws.com' },
                      Action: 'sqs:SendMessage',
                      Resource: { 'Fn::GetAtt': ['Work', 'Arn'] },
                      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Rule', 'Arn'] } } },
                    },
                  ]),
            ],
          },
        },
      },
      Key: {
        Type: 'AWS::KMS::Key',
        Properties: {
          KeyPolicy: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: options.keyPolicyPrincipal ?? root },
                Action: 'kms:*',
                Resource: '*',
              },
            ],
          },
        },
      },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
      Bus: {
        Type: 'AWS::Events::EventBus',
        Properties: {
          Name: 'Tiny-bus',
          Policy: {
            Statement: [
              { Effect: 'Allow', Principal: { AWS: root }, Action: 'events:PutEvents', Resource: '*' },
            ],
          },
        },
      },
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'Bus' },
          Targets: [{ Id: 'Target0', Arn: { 'Fn::GetAtt': ['Work', 'Arn'] } }],
        },
      },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: {} },
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      RolePolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: { 'Fn::GetAtt': ['Logs', 'Arn'] },
              },
              {
                Effect: 'Allow',
                Action: [
                  'sqs:ReceiveMessage',
                  'sqs:DeleteMessage',
                  'sqs:GetQueueAttributes',
                  'sqs:GetQueueUrl',
                ],
                Resource: { 'Fn::GetAtt': ['Work', 'Arn'] },
              },
              { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Dlq', 'Arn'] } },
              { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'Topic' } },
              {
                Effect: 'Allow',
                Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
                Resource: { 'Fn::GetAtt': ['Key', 'Arn'] },
              },
              {
                Effect: 'Allow',
                Action: 'dynamodb:Query',
                // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a JS template
                Resource: [{ 'Fn::GetAtt': ['Table', 'Arn'] }, { 'Fn::Sub': '${Table.Arn}/index/*' }],
              },
              ...(options.extraStatements ?? []),
            ],
          },
        },
      },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          LoggingConfig: { LogGroup: { Ref: 'Logs' } },
        },
      },
      FnSource: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { FunctionName: { Ref: 'Fn' }, EventSourceArn: { 'Fn::GetAtt': ['Work', 'Arn'] } },
      },
    },
  };
}

export const TINY_NAMING = { account: '111122223333', region: 'eu-west-1', stackName: 'Tiny' } as const;
