import { describe, expect, it } from 'vitest';
import { stripResources } from '../../cli/cloud/template-patches.ts';

describe('emulator template patch: resource types MiniStack rejects', () => {
  it('takes the archive out with every reference to it and keeps the rest untouched', () => {
    // Arrange
    const template = {
      Resources: {
        Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'bus' } },
        Archive: {
          Type: 'AWS::Events::Archive',
          Properties: { SourceArn: { 'Fn::GetAtt': ['Bus', 'Arn'] }, RetentionDays: 7 },
        },
        Rule: { Type: 'AWS::Events::Rule', DependsOn: ['Archive', 'Bus'] },
        Other: { Type: 'AWS::SQS::Queue', DependsOn: 'Archive' },
      },
      Outputs: {
        ArchiveName: { Value: { Ref: 'Archive' } },
        BusName: { Value: { Ref: 'Bus' } },
      },
    };

    // Act
    const stripped = stripResources(template, ['AWS::Events::Archive']);

    // Assert
    expect(stripped).toEqual([
      {
        logicalId: 'Archive',
        type: 'AWS::Events::Archive',
        properties: { SourceArn: { 'Fn::GetAtt': ['Bus', 'Arn'] }, RetentionDays: 7 },
      },
    ]);
    expect(Object.keys(template.Resources)).toEqual(['Bus', 'Rule', 'Other']);
    expect(template.Resources.Rule.DependsOn).toEqual(['Bus']);
    expect('DependsOn' in template.Resources.Other).toBe(false);
    expect(Object.keys(template.Outputs)).toEqual(['BusName']);
  });

  it('changes nothing when the template has no unsupported resource', () => {
    const template = { Resources: { Q: { Type: 'AWS::SQS::Queue' } } };
    expect(stripResources(template, ['AWS::Events::Archive'])).toEqual([]);
    expect(template).toEqual({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } });
  });
});
