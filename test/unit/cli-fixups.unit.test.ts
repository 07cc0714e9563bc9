import { describe, expect, it } from 'vitest';
import { expectedRedrivePolicies } from '../../cli/cloud/fixups.ts';

describe('emulator fix-up: queue redrive policies', () => {
  it('reads every queue redrive policy the template declares, by logical id', () => {
    // Arrange
    const template = {
      Resources: {
        WorkQueue: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['WorkDlq', 'Arn'] }, maxReceiveCount: 3 },
          },
        },
        WorkDlq: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1_209_600 } },
        Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      },
    };

    // Act
    const expectations = expectedRedrivePolicies(template);

    // Assert
    expect(expectations).toEqual([
      { queueLogicalId: 'WorkQueue', dlqLogicalId: 'WorkDlq', maxReceiveCount: 3 },
    ]);
  });

  it('ignores queues without a redrive policy and templates without resources', () => {
    expect(expectedRedrivePolicies({})).toEqual([]);
    expect(expectedRedrivePolicies({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } })).toEqual([]);
  });
});
