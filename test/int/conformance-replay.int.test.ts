import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect } from 'vitest';
import { LIVE_EVENTS_ONLY, REPLAYED_EVENTS_ONLY } from '../../shared/kit/replay.ts';
import { conformance } from './conformance.support.ts';
import { region, uniqueName } from './conformance-resources.support.ts';

const events = new EventBridgeClient({ region });
const sqs = new SQSClient({ region });

/** A queue EventBridge may send to (the policy AWS needs; emulators ignore it). */
async function targetQueue(name: string) {
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes.QueueArn ?? '';
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: arn,
            },
          ],
        }),
      },
    }),
  );
  return { url: QueueUrl, arn };
}

/**
 * StartReplay, where an SDK retry of a call the endpoint had carried out (LocalStack answered one with an
 * error after creating the replay) meets the replay it created: the name is this probe's own.
 */
async function startReplay(command: StartReplayCommand): Promise<void> {
  await events.send(command).catch((error: Error) => {
    if (error.name !== 'ResourceAlreadyExistsException') throw error;
  });
}

/** Messages that arrive in `url` within `ms`, read and left to expire with the queue. */
async function arrivals(url: string, ms: number): Promise<number> {
  const ids = new Set<string>();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
      }),
    );
    for (const m of Messages) ids.add(m.MessageId ?? '');
  }
  return ids.size;
}

describe('conformance: EventBridge archive replays', () => {
  conformance(
    'a replay reaches only the rules in FilterArns, and a rule matching replay-name exists:false takes none',
    {
      probe: async () => {
        const busName = uniqueName('replay-bus');
        const source = uniqueName('probe.replay');
        const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: busName }));
        const archiveName = uniqueName('replay-archive');
        const { ArchiveArn } = await events.send(
          new CreateArchiveCommand({
            ArchiveName: archiveName,
            EventSourceArn: EventBusArn,
            EventPattern: JSON.stringify({ source: [source] }),
          }),
        );
        const patterns = {
          staged: { ...REPLAYED_EVENTS_ONLY, source: [source] },
          other: { ...REPLAYED_EVENTS_ONLY, source: [source] },
          live: { ...LIVE_EVENTS_ONLY, source: [source] },
        };
        const rules: Record<string, { ruleArn: string; url: string }> = {};
        for (const [name, pattern] of Object.entries(patterns)) {
          const queue = await targetQueue(uniqueName(`replay-${name}`));
          const ruleName = uniqueName(`replay-${name}`);
          const { RuleArn = '' } = await events.send(
            new PutRuleCommand({
              Name: ruleName,
              EventBusName: busName,
              EventPattern: JSON.stringify(pattern),
            }),
          );
          await events.send(
            new PutTargetsCommand({
              Rule: ruleName,
              EventBusName: busName,
              Targets: [{ Id: 'q', Arn: queue.arn }],
            }),
          );
          rules[name] = { ruleArn: RuleArn, url: queue.url };
        }
        const before = new Date(Date.now() - 60_000);
        await events.send(
          new PutEventsCommand({
            Entries: [{ EventBusName: busName, Source: source, DetailType: 'Probe', Detail: '{"n":1}' }],
          }),
        );
        const liveBefore = await arrivals(rules.live?.url ?? '', 3_000);
        // AWS archives with a delay of its own; the emulators at once.
        await sleep(1_000);
        const replayName = uniqueName('replay');
        await startReplay(
          new StartReplayCommand({
            ReplayName: replayName,
            EventSourceArn: ArchiveArn,
            EventStartTime: before,
            EventEndTime: new Date(),
            Destination: {
              Arn: EventBusArn,
              FilterArns: [rules.staged?.ruleArn ?? '', rules.live?.ruleArn ?? ''],
            },
          }),
        );
        let state = 'STARTING';
        for (let i = 0; i < 60 && !['COMPLETED', 'FAILED', 'CANCELLED'].includes(state); i += 1) {
          state = (await events.send(new DescribeReplayCommand({ ReplayName: replayName }))).State ?? '';
          await sleep(500);
        }
        const [staged, other, liveAfter] = await Promise.all([
          arrivals(rules.staged?.url ?? '', 4_000),
          arrivals(rules.other?.url ?? '', 4_000),
          arrivals(rules.live?.url ?? '', 4_000),
        ]);
        for (const [name] of Object.entries(patterns)) {
          const rule = rules[name];
          const ruleName = rule?.ruleArn.split('/').pop() ?? '';
          await events.send(new RemoveTargetsCommand({ Rule: ruleName, EventBusName: busName, Ids: ['q'] }));
          await events.send(new DeleteRuleCommand({ Name: ruleName, EventBusName: busName }));
          await sqs.send(new DeleteQueueCommand({ QueueUrl: rule?.url }));
        }
        await events.send(new DeleteArchiveCommand({ ArchiveName: archiveName }));
        await events.send(new DeleteEventBusCommand({ Name: busName }));
        return { state, liveBefore, staged, other, liveAfter };
      },
      aws: (observed) =>
        expect(observed).toEqual({ state: 'COMPLETED', liveBefore: 1, staged: 1, other: 0, liveAfter: 0 }),
      gaps: [
        {
          id: 'events-replay-filter-arns-ignored',
          instead: 'StartReplay ignores FilterArns: every rule of the bus evaluates the replayed events',
          seen: ({ state, liveBefore, staged, other, liveAfter }) =>
            state === 'COMPLETED' && liveBefore === 1 && staged === 1 && other === 1 && liveAfter === 0,
          workaround:
            'none needed: every consumer rule takes live traffic only (replay-name exists:false, seen to hold here), so a replay still lands on the staging rule alone (shared/kit/replay.ts)',
        },
        {
          id: 'events-start-replay-stuck',
          instead:
            'StartReplay answers 500 (InternalError) and the replay it created stays STARTING, replaying nothing',
          seen: ({ state, liveBefore, staged, other }) =>
            state === 'STARTING' && liveBefore === 1 && staged === 0 && other === 0,
          workaround:
            'none: `pipeline replay --archive` stops with an error when a replay has not started after 5 minutes; replays are proven on MiniStack',
        },
      ],
    },
    90_000,
  );
});
