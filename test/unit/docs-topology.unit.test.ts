import { describe, expect, it } from 'vitest';
import { type CfnTemplateJson, labelOf, topologyFromTemplate } from '../../cli/docs/topology.ts';
import { pipelineTemplate, referencedId } from './infra-fixture.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** A small template written by hand: one of each connection the topology reads. */
const handmade: CfnTemplateJson = {
  Resources: {
    BusAAAAAAAA: { Type: 'AWS::Events::EventBus', Properties: { Name: 'shop-bus' } },
    RuleBBBBBBBB: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventBusName: { Ref: 'BusAAAAAAAA' },
        EventPattern: { 'detail-type': ['CartCheckedOut'] },
        Targets: [
          {
            Id: 'Target0',
            Arn: { 'Fn::GetAtt': ['WorkCCCCCCCC', 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['TargetDlqDDDDDDDD', 'Arn'] } },
          },
          { Id: 'Outside', Arn: 'arn:aws:sqs:eu-west-1:123456789012:elsewhere' },
        ],
      },
    },
    WorkCCCCCCCC: {
      Type: 'AWS::SQS::Queue',
      // As a JSON string, which CloudFormation accepts too.
      Properties: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: { 'Fn::GetAtt': ['WorkDlqEEEEEEEE', 'Arn'] },
          maxReceiveCount: 4,
        }),
      },
    },
    WorkDlqEEEEEEEE: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
    TargetDlqDDDDDDDD: { Type: 'AWS::SQS::Queue' },
    TopicFFFFFFFF: { Type: 'AWS::SNS::Topic' },
    Sub: {
      Type: 'AWS::SNS::Subscription',
      Properties: {
        TopicArn: { Ref: 'TopicFFFFFFFF' },
        Endpoint: { 'Fn::GetAtt': ['WorkCCCCCCCC', 'Arn'] },
        Protocol: 'sqs',
        FilterPolicy: { type: ['Shipped'] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['TargetDlqDDDDDDDD', 'Arn'] } },
      },
    },
    StoreAAAA1111: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        KeySchema: [{ AttributeName: 'pk' }],
      },
    },
    Fn1: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Environment: {
          Variables: {
            QUEUE_URL: { Ref: 'WorkCCCCCCCC' },
            TOPIC_ARN: { Ref: 'TopicFFFFFFFF' },
            ROUTES: { 'Fn::Join': ['', ['{"q":"', { Ref: 'TargetDlqDDDDDDDD' }, '"}']] },
            PLAIN: 'x',
          },
        },
      },
    },
    Fn2: { Type: 'AWS::Lambda::Function' },
    QueueMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['WorkCCCCCCCC', 'Arn'] },
        FunctionName: { Ref: 'Fn1' },
        BatchSize: 7,
      },
    },
    StreamMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['StoreAAAA1111', 'StreamArn'] },
        FunctionName: { Ref: 'Fn2' },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['TargetDlqDDDDDDDD', 'Arn'] } } },
      },
    },
    Policy: { Type: 'AWS::IAM::Policy' },
  },
};

const edgesOf = (template: CfnTemplateJson) =>
  topologyFromTemplate(template).edges.map((e) => `${e.kind} ${e.from} -> ${e.to}`);

describe('topologyFromTemplate on a template written by hand', () => {
  it('reads a rule from its bus to its targets, with the target DLQ beside them, ignoring targets outside the template', () => {
    const edges = edgesOf(handmade);
    expect(edges).toContain('rule BusAAAAAAAA -> RuleBBBBBBBB');
    expect(edges).toContain('target RuleBBBBBBBB -> WorkCCCCCCCC');
    expect(edges).toContain('target-dlq RuleBBBBBBBB -> TargetDlqDDDDDDDD');
    expect(edges.filter((e) => e.startsWith('target RuleBBBBBBBB'))).toHaveLength(1);
    const rule = topologyFromTemplate(handmade).nodes.find((n) => n.id === 'RuleBBBBBBBB');
    expect(JSON.parse(rule?.details.eventPattern ?? '')).toEqual({ 'detail-type': ['CartCheckedOut'] });
  });

  it('reads a queue redrive given as JSON text, with its receive count, and marks the DLQ', () => {
    const topology = topologyFromTemplate(handmade);
    const redrive = topology.edges.find((e) => e.kind === 'redrive');
    expect(redrive).toMatchObject({
      from: 'WorkCCCCCCCC',
      to: 'WorkDlqEEEEEEEE',
      details: { maxReceiveCount: '4' },
    });
    const dlq = topology.nodes.find((n) => n.id === 'WorkDlqEEEEEEEE');
    expect(dlq).toMatchObject({ deadLetter: true, details: { fifo: 'true' } });
    expect(topology.nodes.find((n) => n.id === 'WorkCCCCCCCC')?.deadLetter).toBeUndefined();
  });

  it('reads a topic subscription with its filter policy and its delivery DLQ', () => {
    const topology = topologyFromTemplate(handmade);
    expect(topology.edges.find((e) => e.kind === 'subscription')).toMatchObject({
      from: 'TopicFFFFFFFF',
      to: 'WorkCCCCCCCC',
      details: { protocol: 'sqs', filterPolicy: '{"type":["Shipped"]}' },
    });
    expect(topology.edges.find((e) => e.kind === 'subscription-dlq')).toMatchObject({
      to: 'TargetDlqDDDDDDDD',
      details: { endpoint: 'WorkCCCCCCCC' },
    });
  });

  it('reads event source mappings from a queue and from a table stream, with the on-failure destination', () => {
    const edges = edgesOf(handmade);
    expect(edges).toContain('event-source WorkCCCCCCCC -> Fn1');
    expect(edges).toContain('event-source StoreAAAA1111 -> Fn2');
    expect(edges).toContain('on-failure Fn2 -> TargetDlqDDDDDDDD');
    const table = topologyFromTemplate(handmade).nodes.find((n) => n.id === 'StoreAAAA1111');
    expect(table?.details).toEqual({ stream: 'NEW_IMAGE', keys: 'pk' });
  });

  it('links a function to what its environment names, except its own source queue, even inside Fn::Join', () => {
    const env = topologyFromTemplate(handmade).edges.filter((e) => e.kind === 'env');
    expect(env.map((e) => `${e.from} -> ${e.to} ${e.details.variable}`)).toEqual([
      'Fn1 -> TopicFFFFFFFF TOPIC_ARN',
      'Fn1 -> TargetDlqDDDDDDDD ROUTES',
    ]);
  });

  it('shows only the kinds it knows, labelled without the CDK hash and named by their physical name', () => {
    const topology = topologyFromTemplate(handmade);
    expect(topology.nodes.map((n) => n.id)).not.toContain('Policy');
    expect(topology.nodes.find((n) => n.id === 'BusAAAAAAAA')).toMatchObject({
      label: 'Bus',
      name: 'shop-bus',
    });
    expect(labelOf('OrdersSagaWorkQueue9D066DEB')).toBe('OrdersSagaWorkQueue');
    expect(labelOf('Fn1')).toBe('Fn1');
  });
});

describe('topologyFromTemplate on the synthesized pipeline stack', () => {
  const json = pipelineTemplate('dev').toJSON() as { Resources: Resources };
  const resources = Object.entries(json.Resources);
  const topology = topologyFromTemplate(json);
  const has = (kind: string, from: string | undefined, to: string | undefined) =>
    topology.edges.some((e) => e.kind === kind && e.from === from && e.to === to);

  it('has every rule, fed by its bus, with an edge to each target and its DLQ', () => {
    const rules = resources.filter(([, r]) => r.Type === 'AWS::Events::Rule');
    expect(rules.length).toBeGreaterThan(0);
    for (const [id, rule] of rules) {
      expect(topology.nodes.find((n) => n.id === id)?.kind).toBe('rule');
      expect(has('rule', referencedId(rule.Properties?.EventBusName), id)).toBe(true);
      for (const target of (rule.Properties?.Targets ?? []) as {
        Arn: unknown;
        DeadLetterConfig?: { Arn: unknown };
      }[]) {
        expect(has('target', id, referencedId(target.Arn))).toBe(true);
        if (target.DeadLetterConfig)
          expect(has('target-dlq', id, referencedId(target.DeadLetterConfig.Arn))).toBe(true);
      }
    }
  });

  it('has every queue, each redrive to its DLQ, and every DLQ marked as one', () => {
    const queues = resources.filter(([, r]) => r.Type === 'AWS::SQS::Queue');
    expect(topology.nodes.filter((n) => n.kind === 'queue').map((n) => n.id)).toEqual(
      queues.map(([id]) => id),
    );
    for (const [id, queue] of queues) {
      const redrive = queue.Properties?.RedrivePolicy as { deadLetterTargetArn: unknown } | undefined;
      if (!redrive) continue;
      const dlq = referencedId(redrive.deadLetterTargetArn);
      expect(has('redrive', id, dlq)).toBe(true);
      expect(topology.nodes.find((n) => n.id === dlq)?.deadLetter).toBe(true);
    }
  });

  it('has every topic subscription with the filter policy the template gives it', () => {
    const subscriptions = resources.filter(([, r]) => r.Type === 'AWS::SNS::Subscription');
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const [, s] of subscriptions) {
      const edge = topology.edges.find(
        (e) =>
          e.kind === 'subscription' &&
          e.from === referencedId(s.Properties?.TopicArn) &&
          e.to === referencedId(s.Properties?.Endpoint),
      );
      expect(JSON.parse(edge?.details.filterPolicy ?? 'null')).toEqual(s.Properties?.FilterPolicy);
    }
  });

  it('has every event source mapping, the event store stream to the outbox and to the projector among them', () => {
    const mappings = resources.filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping');
    for (const [, m] of mappings)
      expect(
        has(
          'event-source',
          referencedId(m.Properties?.EventSourceArn),
          referencedId(m.Properties?.FunctionName),
        ),
      ).toBe(true);
    const streams = topology.edges.filter(
      (e) => e.kind === 'event-source' && topology.nodes.find((n) => n.id === e.from)?.kind === 'table',
    );
    expect(streams.map((e) => `${labelOf(e.from)} -> ${labelOf(e.to)}`).sort()).toEqual([
      'EventStoreTable -> OrdersProjectorHandlerFunction',
      'EventStoreTable -> OutboxPublisherFunction',
    ]);
    expect(topology.edges.filter((e) => e.kind === 'event-source')).toHaveLength(mappings.length);
  });
});
