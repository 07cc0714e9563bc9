import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { type CfnResource, pipelineTemplate, referencedId } from './infra-fixture.ts';

const template = pipelineTemplate('dev');
const prodTemplate = pipelineTemplate('prod');
const resources = (type: string) => template.findResources(type) as Record<string, CfnResource>;
const queues = resources('AWS::SQS::Queue');
const alarms = Object.values(resources('AWS::CloudWatch::Alarm'));
const mappings = Object.values(resources('AWS::Lambda::EventSourceMapping'));
const functions = resources('AWS::Lambda::Function');

/** Queues something dead-letters into: SQS redrive, rule targets, SNS subscriptions, stream mappings. */
function deadLetterQueueIds(): Set<string> {
  const ids = new Set<string>();
  const add = (value: unknown) => {
    const id = referencedId(value);
    if (id) ids.add(id);
  };
  for (const queue of Object.values(queues)) {
    add(
      (queue.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn,
    );
  }
  for (const rule of Object.values(resources('AWS::Events::Rule'))) {
    for (const target of (rule.Properties?.Targets as { DeadLetterConfig?: { Arn?: unknown } }[]) ?? []) {
      add(target.DeadLetterConfig?.Arn);
    }
  }
  for (const subscription of Object.values(resources('AWS::SNS::Subscription'))) {
    add(
      (subscription.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)
        ?.deadLetterTargetArn,
    );
  }
  for (const mapping of mappings) {
    const destination = mapping.Properties?.DestinationConfig as
      | { OnFailure?: { Destination?: unknown } }
      | undefined;
    add(destination?.OnFailure?.Destination);
  }
  return ids;
}

function alarmsOnQueue(queueId: string, metricName: string): CfnResource[] {
  return alarms.filter((alarm) => {
    const dimensions = (alarm.Properties?.Dimensions as { Name: string; Value: unknown }[]) ?? [];
    return (
      alarm.Properties?.MetricName === metricName &&
      dimensions.some((d) => d.Name === 'QueueName' && referencedId(d.Value) === queueId)
    );
  });
}

describe('infra: queues', () => {
  const dlqs = deadLetterQueueIds();

  it('gives every SQS queue a dead-letter queue, or uses it as one', () => {
    // Arrange
    const orphans = Object.entries(queues).filter(
      ([id, queue]) => !queue.Properties?.RedrivePolicy && !dlqs.has(id),
    );

    // Assert
    expect(Object.keys(queues).length).toBeGreaterThanOrEqual(13);
    expect(orphans.map(([id]) => id)).toEqual([]);
  });

  it('alarms on the first message in every dead-letter queue, notifying the alarm topic', () => {
    for (const dlq of dlqs) {
      // Act
      const [alarm] = alarmsOnQueue(dlq, 'ApproximateNumberOfMessagesVisible');

      // Assert
      expect(alarm, `no alarm on DLQ ${dlq}`).toBeDefined();
      expect(alarm?.Properties).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
      });
    }
  });

  it('alarms when the oldest message of a work queue gets old', () => {
    const workQueues = Object.entries(queues).filter(([, queue]) => queue.Properties?.RedrivePolicy);
    for (const [id] of workQueues) {
      expect(alarmsOnQueue(id, 'ApproximateAgeOfOldestMessage'), `no age alarm on ${id}`).toHaveLength(1);
    }
  });

  it('encrypts every queue at rest', () => {
    for (const [id, queue] of Object.entries(queues)) {
      const encrypted = queue.Properties?.SqsManagedSseEnabled === true || queue.Properties?.KmsMasterKeyId;
      expect(encrypted, `queue ${id} is not encrypted`).toBeTruthy();
    }
  });

  it('denies every request to a queue that does not use TLS', () => {
    for (const id of Object.keys(queues)) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: Match.arrayWith([{ Ref: id }]),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('keeps a consumer queue invisible for at least six times its function timeout plus its batching window', () => {
    const sqsMappings = mappings.filter((m) => queues[referencedId(m.Properties?.EventSourceArn) ?? '']);
    expect(sqsMappings.length).toBeGreaterThan(0);
    for (const mapping of sqsMappings) {
      const queue = queues[referencedId(mapping.Properties?.EventSourceArn) ?? ''];
      const fn = functions[referencedId(mapping.Properties?.FunctionName) ?? ''];
      const window = Number(mapping.Properties?.MaximumBatchingWindowInSeconds ?? 0);
      expect(Number(queue?.Properties?.VisibilityTimeout)).toBeGreaterThanOrEqual(
        6 * Number(fn?.Properties?.Timeout) + window,
      );
    }
  });

  it('lets SQS consumers report batch item failures with a bounded concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RecorderWorkQueue'), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});

describe('infra: functions', () => {
  it('builds every function for nodejs22.x on arm64 with tracing and its own log group', () => {
    // recorder, outbox publisher, saga, inventory, payment, projector, email, sms, push;
    // onboarding accounts, welcome, settings, profiles; the orders HTTP API
    expect(Object.keys(functions)).toHaveLength(14);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
    }
  });

  it('writes prod logs as JSON through Lambda filters: application lines from INFO, platform lines from WARN', () => {
    const prodFunctions = Object.values(
      prodTemplate.findResources('AWS::Lambda::Function') as Record<string, CfnResource>,
    );
    expect(prodFunctions.length).toBeGreaterThan(0);
    for (const fn of prodFunctions) {
      // WARN drops the START/END/REPORT lines of every invocation; Lambda's metrics keep the counts.
      expect(fn.Properties?.LoggingConfig).toEqual({
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'WARN',
        LogGroup: { Ref: expect.stringMatching(/Logs/) },
      });
      expect(fn.Properties?.Environment).toMatchObject({ Variables: { POWERTOOLS_LOG_LEVEL: 'INFO' } });
      expect(fn.Properties?.Environment).not.toMatchObject({
        Variables: { POWERTOOLS_LOGGER_SAMPLE_RATE: expect.anything() },
      });
    }
  });

  it('keeps dev logs in plain text with the REPORT lines the cost bench counts, and the per-record lines at DEBUG', () => {
    for (const fn of Object.values(functions)) {
      // No LogFormat, no SystemLogLevel: Lambda writes START/END/REPORT as plain text, as before.
      expect(fn.Properties?.LoggingConfig).toEqual({ LogGroup: { Ref: expect.stringMatching(/Logs/) } });
      expect(fn.Properties?.Environment).toMatchObject({ Variables: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } });
    }
  });

  it('traces every function with X-Ray in dev and none in prod', () => {
    const prodFunctions = Object.values(
      prodTemplate.findResources('AWS::Lambda::Function') as Record<string, CfnResource>,
    );
    for (const fn of Object.values(functions))
      expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
    for (const fn of prodFunctions) expect(fn.Properties?.TracingConfig).not.toEqual({ Mode: 'Active' });
  });

  it('grants X-Ray writes only where tracing is on: in dev, not in prod', () => {
    const xrayActions = (template: typeof prodTemplate) =>
      JSON.stringify(template.findResources('AWS::IAM::Policy')).match(/xray:Put\w+/g) ?? [];
    expect(xrayActions(template).length).toBeGreaterThan(0);
    expect(xrayActions(prodTemplate)).toEqual([]);
  });

  it('alarms on the errors of every function', () => {
    for (const id of Object.keys(functions)) {
      const onErrors = alarms.filter(
        (alarm) =>
          alarm.Properties?.MetricName === 'Errors' &&
          ((alarm.Properties?.Dimensions as { Value: unknown }[] | undefined) ?? []).some(
            (d) => referencedId(d.Value) === id,
          ),
      );
      expect(onErrors, `no error alarm on ${id}`).toHaveLength(1);
    }
  });

  it('keeps logs for the stage retention: a week in dev, three months in prod', () => {
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    prodTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('notifies the alarm topic from every alarm, when it fires and when it recovers', () => {
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        AlarmActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
        OKActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
      });
    }
  });
});
