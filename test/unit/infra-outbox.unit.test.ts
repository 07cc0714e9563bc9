import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { EventStoreTable } from '../../infra/constructs/event-store-table.ts';
import { OutboxPublisher } from '../../infra/constructs/outbox-publisher.ts';
import { stageSettings } from '../../infra/stages.ts';
import { isCommitItem } from '../../shared/kit/event-store/dynamodb-items.ts';
import { type CfnResource, pipelineTemplate, testStack } from './infra-fixture.ts';

const template = pipelineTemplate('dev');
const streamMapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find(
  (mapping) => (mapping as CfnResource).Properties?.StartingPosition,
) as CfnResource | undefined;

describe('infra: outbox publisher', () => {
  it('reads the event store stream from the oldest record, bisecting, retrying and reporting item failures', () => {
    expect(streamMapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [expect.stringMatching(/^EventStoreTable/), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86_400,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('sends batches it cannot publish to an on-failure queue instead of dropping them', () => {
    expect(streamMapping?.Properties?.DestinationConfig).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^OutboxDlqQueue/), 'Arn'] } },
    });
  });

  it('passes only inserted event items to the function, the same items the code keeps', () => {
    // Arrange
    const criteria = streamMapping?.Properties?.FilterCriteria as
      | { Filters?: { Pattern: string }[] }
      | undefined;
    const filters = criteria?.Filters ?? [];
    const pattern = JSON.parse(filters[0]?.Pattern ?? '{}');

    // Assert
    expect(filters).toHaveLength(1);
    expect(pattern).toEqual({
      eventName: ['INSERT'],
      dynamodb: { Keys: { pk: { S: [{ prefix: 'STREAM#' }] }, sk: { S: [{ prefix: 'E#' }] } } },
    });
    expect(isCommitItem({ pk: { S: 'STREAM#o-1' }, sk: { S: 'E#0000000001' } })).toBe(true);
    expect(isCommitItem({ pk: { S: 'STREAM#o-1' }, sk: { S: 'S#0000000001' } })).toBe(false);
  });

  it('tells the function which bus to publish to', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^EventsBus') } }),
      },
    });
  });

  it('alarms when publishing lags appends by more than a minute', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Threshold: 60_000,
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^OutboxPublisherFunction') } },
      ],
    });
  });

  it('rejects a maximum record age outside what Lambda accepts', () => {
    // Arrange
    const stack = testStack();
    const stage = stageSettings('dev');
    const eventStore = new EventStoreTable(stack, 'Store', { stage });
    const bus = new EventBus(stack, 'Bus');
    const build = (maxRecordAge: Duration) =>
      new OutboxPublisher(stack, `Outbox${maxRecordAge.toSeconds()}`, {
        stage,
        eventStore,
        bus,
        maxRecordAge,
      });

    // Assert
    expect(() => build(Duration.seconds(30))).toThrow(/maxRecordAge/);
    expect(() => build(Duration.days(8))).toThrow(/maxRecordAge/);
  });
});
