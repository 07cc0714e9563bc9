import { describe, expect, it } from 'vitest';
import { type CfnResource, pipelineTemplate, referencedId } from './infra-fixture.ts';

/**
 * Actions AWS offers no resource-level permission for, so Resource "*" is the only way to grant them.
 * Each one is granted by code that says why (see `wildcardResourceReasons` in PipelineFunction).
 */
const NEED_WILDCARD_RESOURCE = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'dynamodb:ListStreams',
  'cloudwatch:PutMetricData',
]);

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const template = pipelineTemplate('dev');
const policies = Object.entries(template.findResources('AWS::IAM::Policy') as Record<string, CfnResource>);
const statements = policies.flatMap(([id, policy]) =>
  ((policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? []).map(
    (statement) => ({
      id,
      statement,
    }),
  ),
);
const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('infra: IAM', () => {
  it('names the resources of every statement; "*" only for actions AWS cannot scope', () => {
    for (const { id, statement } of statements) {
      const resources = [statement.Resource].flat();
      if (!resources.includes('*')) continue;
      const unscopable = actionsOf(statement).filter((action) => !NEED_WILDCARD_RESOURCE.has(action));
      expect(unscopable, `${id} grants ${unscopable.join(', ')} on "*"`).toEqual([]);
    }
  });

  it('grants no wildcard actions', () => {
    for (const { id, statement } of statements) {
      expect(
        actionsOf(statement).filter((a) => a.endsWith('*') && !a.startsWith('kms:')),
        id,
      ).toEqual([]);
    }
  });

  it('uses no AWS managed policies', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as CfnResource).Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('lets the outbox publisher put events on the bus and read its own table stream, nothing else', () => {
    // Arrange
    const outbox = statements.filter(({ id }) => id.startsWith('OutboxPublisherRole'));
    const scoped = (action: string) =>
      outbox.find(({ statement }) => actionsOf(statement).includes(action))?.statement.Resource;

    // Assert
    expect(referencedId(scoped('events:PutEvents'))).toMatch(/^EventsBus/);
    expect(scoped('dynamodb:GetRecords')).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^EventStoreTable/), 'StreamArn'],
    });
    expect(referencedId(scoped('sqs:SendMessage'))).toMatch(/^OutboxDlqQueue/);
    expect(
      outbox.flatMap(({ statement }) => actionsOf(statement)).filter((a) => a.startsWith('dynamodb:Put')),
    ).toEqual([]);
  });

  it('lets each function write only to its own log group', () => {
    const logStatements = statements.filter(({ statement }) =>
      actionsOf(statement).includes('logs:PutLogEvents'),
    );
    expect(logStatements).toHaveLength(Object.keys(template.findResources('AWS::Lambda::Function')).length);
    for (const { statement } of logStatements) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] });
    }
  });
});
