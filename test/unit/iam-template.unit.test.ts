import { describe, expect, it } from 'vitest';
import { permissionModel } from '../support/iam/policies.ts';
import { TemplateReader } from '../support/iam/template.ts';
import { TINY_NAMING, tinyTemplate } from './iam-fixture.ts';

const deployedIds = new Map([
  ['Work', 'http://127.0.0.1:4577/111122223333/Tiny-Work-ABC'],
  ['Topic', 'arn:aws:sns:eu-west-1:111122223333:Tiny-Topic-XYZ'],
  ['Key', '1234abcd-12ab-34cd-56ef-1234567890ab'],
  ['Table', 'Tiny-Table-T1'],
]);

describe('IAM check: reading a template', () => {
  it('names a resource by its deployed physical id, or <stack>-<logical id> when it was not deployed', () => {
    // Arrange
    const reader = new TemplateReader(tinyTemplate(), { ...TINY_NAMING, physicalIds: deployedIds });

    // Act / Assert
    expect(reader.arnOf('Work')).toBe('arn:aws:sqs:eu-west-1:111122223333:Tiny-Work-ABC');
    expect(reader.arnOf('Topic')).toBe('arn:aws:sns:eu-west-1:111122223333:Tiny-Topic-XYZ');
    expect(reader.arnOf('Key')).toBe(
      'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    expect(reader.arnOf('Dlq')).toBe('arn:aws:sqs:eu-west-1:111122223333:Tiny-Dlq');
    expect(reader.arnOf('Logs')).toBe('arn:aws:logs:eu-west-1:111122223333:log-group:Tiny-Logs:*');
  });

  it('lets a name the template gives a resource win over the deployed one', () => {
    // Arrange
    const reader = new TemplateReader(tinyTemplate(), {
      ...TINY_NAMING,
      physicalIds: new Map([['Bus', 'Other-bus']]),
    });

    // Act / Assert
    expect(reader.arnOf('Bus')).toBe('arn:aws:events:eu-west-1:111122223333:event-bus/Tiny-bus');
  });

  it('resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and Fn::Split with the pseudo parameters', () => {
    // Arrange
    const reader = new TemplateReader(tinyTemplate(), { ...TINY_NAMING, physicalIds: deployedIds });

    // Act
    const resolved = reader.resolve({
      url: { Ref: 'Work' },
      joined: { 'Fn::Join': [':', [{ Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }]] },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a JS template
      sub: { 'Fn::Sub': ['${Table.Arn}/index/${Index}', { Index: 'byCustomer' }] },
      picked: { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] },
      stream: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
    });

    // Assert
    expect(resolved).toEqual({
      url: 'https://sqs.eu-west-1.amazonaws.com/111122223333/Tiny-Work-ABC',
      joined: 'eu-west-1:111122223333',
      sub: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Tiny-Table-T1/index/byCustomer',
      picked: 'b',
      stream: expect.stringMatching(
        /^arn:aws:dynamodb:eu-west-1:111122223333:table\/Tiny-Table-T1\/stream\//,
      ),
    });
  });

  it('refuses an intrinsic it does not model instead of guessing a value', () => {
    // Arrange
    const reader = new TemplateReader(tinyTemplate(), TINY_NAMING);

    // Act / Assert
    expect(() => reader.resolve({ 'Fn::ImportValue': 'Shared-Key' })).toThrow(/Fn::ImportValue/);
  });
});

describe('IAM check: the permission model of a template', () => {
  const model = permissionModel(
    new TemplateReader(tinyTemplate(), { ...TINY_NAMING, physicalIds: deployedIds }),
  );
  const fn = model.functions[0];

  it("gives each function its role's attached policies, resolved, and its role session as principal", () => {
    // Assert
    expect(model.functions.map((f) => f.logicalId)).toEqual(['Fn']);
    expect(fn?.identityPolicies.map((p) => p.name)).toEqual(['RolePolicy']);
    expect(JSON.stringify(fn?.identityPolicies)).toContain(
      'arn:aws:sns:eu-west-1:111122223333:Tiny-Topic-XYZ',
    );
    expect(fn?.principal).toBe('arn:aws:sts::111122223333:assumed-role/Tiny-Role/Tiny-Fn');
  });

  it('keeps the queue, topic-key and bus policies by the ARN of the resource they protect', () => {
    // Assert
    expect([...model.resourcePolicies.keys()].sort()).toEqual([
      'arn:aws:events:eu-west-1:111122223333:event-bus/Tiny-bus',
      'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:sqs:eu-west-1:111122223333:Tiny-Work-ABC',
    ]);
    expect(model.encryptionKeys.get('arn:aws:sns:eu-west-1:111122223333:Tiny-Topic-XYZ')).toBe(
      'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
  });

  it("adds the calls Lambda makes with the function's role: polling its queue and writing its log", () => {
    // Assert
    expect(fn?.platformCalls.map((c) => `${c.action} ${c.resource}`)).toEqual([
      'sqs:ReceiveMessage arn:aws:sqs:eu-west-1:111122223333:Tiny-Work-ABC',
      'sqs:DeleteMessage arn:aws:sqs:eu-west-1:111122223333:Tiny-Work-ABC',
      'sqs:GetQueueAttributes arn:aws:sqs:eu-west-1:111122223333:Tiny-Work-ABC',
      'logs:CreateLogStream arn:aws:logs:eu-west-1:111122223333:log-group:Tiny-Logs:log-stream:platform',
      'logs:PutLogEvents arn:aws:logs:eu-west-1:111122223333:log-group:Tiny-Logs:log-stream:platform',
    ]);
  });

  it('lists the deliveries services make into the stack: a rule sending to its target queue', () => {
    // Assert
    expect(model.deliveries).toEqual([
      {
        principal: 'events.amazonaws.com',
        action: 'sqs:SendMessage',
        resource: 'arn:aws:sqs:eu-west-1:111122223333:Tiny-Work-ABC',
        sourceArn: 'arn:aws:events:eu-west-1:111122223333:rule/Tiny-bus/Tiny-Rule',
        why: 'rule Rule target',
      },
    ]);
  });
});
