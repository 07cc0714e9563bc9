import { describe, expect, it } from 'vitest';
import {
  fixedMonthly,
  sqsEventSourceMappings,
  type Template,
  totalPerMonth,
} from '../../bench/cost/fixed.ts';
import { parseProcStat, treeTicks } from '../../bench/saga/cpu.ts';

const template: Template = {
  Resources: {
    WorkQueue: { Type: 'AWS::SQS::Queue' },
    OtherQueue: { Type: 'AWS::SQS::Queue' },
    Table: { Type: 'AWS::DynamoDB::Table' },
    QueueEsm: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: { EventSourceArn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] } },
    },
    ImportedQueueEsm: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: { EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:imported' },
    },
    StreamEsm: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: { EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] } },
    },
    Key: { Type: 'AWS::KMS::Key' },
    Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors', Period: 60 } },
    MathAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Metrics: [
          { Id: 'a', MetricStat: {} },
          { Id: 'b', MetricStat: {} },
          { Id: 'e', Expression: 'a+b' },
        ],
      },
    },
    Dashboard: { Type: 'AWS::CloudWatch::Dashboard' },
  },
};

describe('idle fixed cost per month', () => {
  it('counts the SQS event source mappings only (stream polling by Lambda is free)', () => {
    expect(sqsEventSourceMappings(template).sort()).toEqual(['ImportedQueueEsm', 'QueueEsm']);
  });

  it('prices 5 pollers × 3 receives/min × 43,200 min per ESM, keys, alarm metrics, dashboards beyond 3', () => {
    // Act
    const items = fixedMonthly(template);

    // Assert
    const [esm, keys, alarms, dashboards] = items;
    expect(esm?.count).toBe(2);
    expect(esm?.usdPerMonth).toBeCloseTo((2 * 648_000 * 0.4) / 1e6, 10);
    expect(esm?.arithmetic).toBe(
      '2 ESM × 5 pollers × 3 ReceiveMessage/min (20 s wait) × 43200 min = 1296000 requests × $0.4/M = $0.52/month',
    );
    expect(keys?.usdPerMonth).toBe(1);
    expect(alarms).toMatchObject({ count: 2, usdPerMonth: 0.30000000000000004 });
    expect(dashboards).toMatchObject({ count: 1, usdPerMonth: 0 });
    expect(totalPerMonth(items)).toBeCloseTo(0.5184 + 1 + 0.3, 10);
  });

  it('charges dashboards beyond the free three', () => {
    const many: Template = {
      Resources: Object.fromEntries(
        Array.from({ length: 5 }, (_, i) => [`D${i}`, { Type: 'AWS::CloudWatch::Dashboard' }]),
      ),
    };
    expect(fixedMonthly(many).find((i) => i.what.includes('dashboards'))?.usdPerMonth).toBe(6);
  });
});

describe('CPU of the local cloud from /proc', () => {
  it('reads ppid and utime + stime + cutime + cstime, whatever the command name holds', () => {
    // Arrange: fields 14–17 are 11 22 33 44
    const line = '4242 (node (worker) x) S 4200 4242 4200 0 -1 4194304 10 0 0 0 11 22 33 44 20 0 1 0 99';

    // Act
    const stat = parseProcStat(line);

    // Assert
    expect(stat).toEqual({ pid: 4242, ppid: 4200, ticks: 110 });
  });

  it('sums the root and every descendant, not other processes', () => {
    // Arrange
    const stats = [
      { pid: 1, ppid: 0, ticks: 1000 },
      { pid: 10, ppid: 1, ticks: 50 }, // the emulator
      { pid: 11, ppid: 10, ticks: 7 }, // a worker
      { pid: 12, ppid: 11, ticks: 3 }, // its child
      { pid: 20, ppid: 1, ticks: 500 }, // unrelated
    ];

    // Act / Assert
    expect(treeTicks(stats, 10)).toEqual({ ticks: 60, processes: 3 });
    expect(treeTicks(stats, 99)).toEqual({ ticks: 0, processes: 0 });
  });
});
