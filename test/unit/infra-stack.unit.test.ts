import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ConsumerQueue } from '../../infra/constructs/consumer-queue.ts';
import { SAGA_METRICS } from '../../infra/constructs/dashboard.ts';
import { functionBundle } from '../../infra/constructs/function-bundle.ts';
import { cdkBundling, sourceMapOptions } from '../../infra/constructs/pipeline-function.ts';
import { QueueConsumer } from '../../infra/constructs/queue-consumer.ts';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { declaredContextOutputs } from '../../infra/stacks/pipeline-stack.ts';
import { stageSettings } from '../../infra/stages.ts';
import { type CfnResource, pipelineStack, pipelineTemplate, testStack } from './infra-fixture.ts';

const dev = pipelineTemplate('dev');
const prod = pipelineTemplate('prod');
// Synthesized with the cdk-nag Aspect at import time (slow), like the nag tests.
const prodTraced = pipelineStack('prod', { nag: true, context: { tracing: 'active' } });

describe('infra: stack outputs', () => {
  it('keeps the output names the CLI and the end-to-end tests read', () => {
    const names = Object.keys(dev.findOutputs('*'));
    expect(names).toEqual(
      expect.arrayContaining([
        'EventBusName',
        'RecorderQueueUrl',
        'RecorderDlqUrl',
        'RecorderFunctionName',
        'RecordedEventsTableName',
        'RuleTargetDlqUrl',
      ]),
    );
    // The stack's own outputs and the contexts' (named from their definitions; orders' are in OUTPUTS too).
    expect(names.sort()).toEqual(
      [...new Set([...Object.values(OUTPUTS), ...declaredContextOutputs()])].sort(),
    );
    // Two contexts (or a context and the stack) naming one output would fail the synth; none repeats.
    expect(new Set(declaredContextOutputs()).size).toBe(declaredContextOutputs().length);
    expect(names).toContain('OnboardingProfilesQueueUrl');
  });

  it('leaves the walking skeleton (recorder rule, queues, function, table) out of a prod stack', () => {
    // Arrange
    const skeletonOutputs = [
      'RecorderQueueUrl',
      'RecorderDlqUrl',
      'RecorderFunctionName',
      'RecordedEventsTableName',
    ];
    const logicalIds = (template: typeof dev, type: string) => Object.keys(template.findResources(type));

    // Assert
    expect(Object.keys(prod.findOutputs('*')).filter((n) => skeletonOutputs.includes(n))).toEqual([]);
    expect(logicalIds(prod, 'AWS::DynamoDB::Table').filter((id) => id.startsWith('RecordedEvents'))).toEqual(
      [],
    );
    expect(logicalIds(prod, 'AWS::Lambda::Function').filter((id) => id.startsWith('Recorder'))).toEqual([]);
    expect(
      logicalIds(prod, 'AWS::Events::Rule').filter((id) => id.startsWith('RecordAllOrderEvents')),
    ).toEqual([]);
    expect(logicalIds(dev, 'AWS::Lambda::Function').filter((id) => id.startsWith('Recorder'))).toHaveLength(
      1,
    );
    expect(
      logicalIds(dev, 'AWS::Events::Rule').filter((id) => id.startsWith('RecordAllOrderEvents')),
    ).toHaveLength(1);
    expect(Object.keys(prod.findOutputs('*'))).toEqual(
      expect.arrayContaining(['EventBusName', 'EventStoreTableName', 'SagaQueueUrl']),
    );
  });
});

describe('infra: stages', () => {
  const statefulTypes = ['AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup', 'AWS::KMS::Key'];
  const deletionPolicies = (template: typeof dev) =>
    new Set(
      statefulTypes.flatMap((type) =>
        Object.values(template.findResources(type)).map((r) => (r as CfnResource).DeletionPolicy),
      ),
    );

  it('destroys stateful resources with a dev stack and keeps them with a prod stack', () => {
    expect(deletionPolicies(dev)).toEqual(new Set(['Delete']));
    expect(deletionPolicies(prod)).toEqual(new Set(['Retain']));
  });

  it('reads the stage from context and refuses an unknown one', () => {
    expect(stageSettings(undefined).name).toBe('dev');
    expect(stageSettings('prod')).toMatchObject({
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    expect(() => stageSettings('staging')).toThrow(/Unknown stage "staging"/);
  });

  it('takes an alarm email for prod only, and only a well-formed one', () => {
    expect(stageSettings('prod', { alarmEmail: 'ops@example.com' }).alarmEmail).toBe('ops@example.com');
    expect(stageSettings('prod', { alarmEmail: '' }).alarmEmail).toBeUndefined();
    expect(() => stageSettings('dev', { alarmEmail: 'ops@example.com' })).toThrow(
      /only taken by -c stage=prod/,
    );
    expect(() => stageSettings('prod', { alarmEmail: 'ops' })).toThrow(/not an email address/);
  });

  it('traces dev by default, leaves prod untraced unless -c tracing=active, and refuses other modes', () => {
    expect(stageSettings('dev').tracing).toBe('active');
    expect(stageSettings('prod').tracing).toBe('off');
    expect(stageSettings('prod', { tracing: 'active' }).tracing).toBe('active');
    expect(stageSettings('dev', { tracing: 'off' }).tracing).toBe('off');
    expect(stageSettings('prod', { tracing: '' }).tracing).toBe('off');
    expect(() => stageSettings('prod', { tracing: 'on' })).toThrow(/use -c tracing=active or -c tracing=off/);
  });

  it('keeps the correlation index for pipeline trace on in both stages unless -c traceIndex=off, and refuses other values', () => {
    expect(stageSettings('dev').traceIndex).toBe(true);
    expect(stageSettings('prod').traceIndex).toBe(true);
    expect(stageSettings('prod', { traceIndex: 'off' }).traceIndex).toBe(false);
    expect(stageSettings('dev', { traceIndex: false }).traceIndex).toBe(false);
    expect(stageSettings('prod', { traceIndex: 'on' }).traceIndex).toBe(true);
    expect(() => stageSettings('prod', { traceIndex: 'yes' })).toThrow(
      /use -c traceIndex=on or -c traceIndex=off/,
    );
  });

  it('gives every function of a prod stack deployed with -c tracing=active X-Ray tracing and its suppressed grant', () => {
    // Act
    const template = Template.fromStack(prodTraced);
    const errors = Annotations.fromStack(prodTraced).findError(
      '*',
      Match.stringLikeRegexp('AwsSolutions-.*'),
    );

    // Assert
    const functions = Object.values(
      template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>,
    );
    for (const fn of functions) expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('xray:PutTraceSegments');
    expect(errors).toEqual([]);
  });
});

describe('infra: lean cold starts', () => {
  const functionsOf = (template: typeof dev) =>
    Object.values(template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>);
  const nodeOptions = (fn: CfnResource) =>
    (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
      ?.NODE_OPTIONS;

  it('starts prod functions without --enable-source-maps and dev functions with it', () => {
    // Assert
    expect(functionsOf(prod).length).toBeGreaterThan(0);
    for (const fn of functionsOf(prod)) expect(nodeOptions(fn)).toBeUndefined();
    expect(functionsOf(dev).length).toBeGreaterThan(0);
    for (const fn of functionsOf(dev)) expect(nodeOptions(fn)).toBe('--enable-source-maps');
  });

  it('ships source maps with every stage, without their sources in prod', () => {
    // Act
    const devMaps = cdkBundling(functionBundle(stageSettings('dev')));
    const prodMaps = cdkBundling(functionBundle(stageSettings('prod')));

    // Assert
    expect(devMaps).toMatchObject({ sourceMap: true, sourcesContent: true });
    expect(prodMaps).toMatchObject({ sourceMap: true, sourcesContent: false });
    expect(sourceMapOptions(stageSettings('prod'))).toEqual({});
  });

  it('bundles every function with the credential and bowser aliases to Node-only stand-ins', () => {
    // Act
    const args = cdkBundling(functionBundle(stageSettings('prod'))).esbuildArgs;

    // Assert
    expect(args['--alias:bowser']).toMatch(/shared\/kit\/aws\/bowser-stand-in\.ts$/);
    expect(args['--alias:@aws-sdk/credential-provider-node']).toMatch(
      /shared\/kit\/aws\/lambda-credentials\.ts$/,
    );
  });
});

describe('infra: dashboard', () => {
  const body = JSON.stringify(Object.values(dev.findResources('AWS::CloudWatch::Dashboard'))[0]);

  it('shows throughput, errors, DLQ depth and oldest-message age of every consumer', () => {
    for (const consumer of ['recorder', 'orders saga', 'orders email', 'orders sms', 'orders push']) {
      for (const widget of ['throughput', 'DLQ depth', 'oldest message age']) {
        expect(body).toContain(`${consumer}: ${widget}`);
      }
    }
    expect(body).toContain('recorder: errors');
    expect(body).toContain('outbox: iterator age');
  });

  it('shows the saga metrics the saga emits: started, completed, compensated for service order-saga', () => {
    for (const metric of SAGA_METRICS) {
      expect(body).toMatch(
        new RegExp(`\\\\"OrderPipeline\\\\",\\\\"${metric}\\\\",\\\\"service\\\\",\\\\"order-saga\\\\"`),
      );
    }
  });
});

describe('infra: queue consumer', () => {
  const stage = stageSettings('dev');
  const entry = 'functions/event-recorder/handler.ts';

  it('refuses batch sizes, concurrency and receive counts SQS or Lambda would not honour', () => {
    expect(() => new QueueConsumer(testStack(), 'C', { entry, stage, batchSize: 11 })).toThrow(/batchSize/);
    expect(() => new QueueConsumer(testStack(), 'C', { entry, stage, maxConcurrency: 1 })).toThrow(
      /maxConcurrency/,
    );
    expect(() => new QueueConsumer(testStack(), 'C', { entry, stage, maxReceiveCount: 0 })).toThrow(
      /maxReceiveCount/,
    );
    expect(() => new QueueConsumer(testStack(), 'C', { entry: 'handler.ts', stage })).toThrow(/functions\//);
  });

  it('refuses a batch above 10 records without a batching window, and a window SQS would not take', () => {
    const second = Duration.seconds(1);
    expect(() => new QueueConsumer(testStack(), 'C', { entry, stage, batchSize: 25 })).toThrow(
      /batchSize must be between 1 and 10, got 25 \(above 10 SQS requires a maxBatchingWindow/,
    );
    expect(
      () =>
        new QueueConsumer(testStack(), 'C', { entry, stage, batchSize: 10_001, maxBatchingWindow: second }),
    ).toThrow(/batchSize must be between 1 and 10000/);
    expect(
      () => new QueueConsumer(testStack(), 'C', { entry, stage, maxBatchingWindow: Duration.minutes(6) }),
    ).toThrow(/maxBatchingWindow must be whole seconds between 0 and 300/);
    expect(
      () => new QueueConsumer(testStack(), 'C', { entry, stage, maxBatchingWindow: Duration.millis(500) }),
    ).toThrow(/maxBatchingWindow must be whole seconds/);
    expect(
      () => new QueueConsumer(testStack(), 'C', { entry, stage, batchSize: 100, maxBatchingWindow: second }),
    ).not.toThrow();
  });

  it('makes its own queue invisible for six times the function timeout plus the batching window', () => {
    // Act
    const consumer = new QueueConsumer(testStack(), 'C', {
      entry,
      stage,
      timeout: Duration.seconds(30),
      batchSize: 25,
      maxBatchingWindow: Duration.seconds(1),
    });

    // Assert
    expect(consumer.consumerQueue.visibilityTimeout.toSeconds()).toBe(181);
    const template = Template.fromStack(Stack.of(consumer));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 1,
    });
  });

  it('drains an existing queue only if it stays invisible for six times the function timeout', () => {
    // Arrange
    const stack = testStack();
    const queue = new ConsumerQueue(stack, 'Q', {
      stage,
      purpose: 'test',
      visibilityTimeout: Duration.seconds(30),
    });

    // Act
    const tooSlow = () =>
      new QueueConsumer(stack, 'Slow', { entry, stage, queue, timeout: Duration.seconds(10) });
    const consumer = new QueueConsumer(stack, 'Fast', { entry, stage, queue, timeout: Duration.seconds(5) });

    // Assert
    expect(tooSlow).toThrow(/6 × the function timeout/);
    expect(consumer.queue).toBe(queue.queue);
  });
});
