import { describe, expect, it } from 'vitest';
import { type CfnResource, pipelineTemplate, referencedIds } from './infra-fixture.ts';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/**
 * Which functions may touch the subjects' keys, and how: the intakes that encrypt (saga, API,
 * onboarding accounts) read and create keys; the senders of clear values (the three notification
 * channels, welcome) read them; nobody else, and no function deletes one (the operator's `forget`).
 */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  OrdersSagaHandler: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  OrdersApiHandler: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  OnboardingAccountsHandler: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  OrdersEmailHandler: ['dynamodb:GetItem'],
  OrdersSmsHandler: ['dynamodb:GetItem'],
  OrdersPushHandler: ['dynamodb:GetItem'],
  OnboardingWelcomeHandler: ['dynamodb:GetItem'],
};

function keysTableId(stage: 'dev' | 'prod'): string {
  const tables = Object.keys(pipelineTemplate(stage).findResources('AWS::DynamoDB::Table'));
  const id = tables.find((name) => name.startsWith('SubjectKeysTable'));
  if (id === undefined) throw new Error(`no keys table in ${tables.join(', ')}`);
  return id;
}

/** Actions on the keys table per policy, by the role's function name (policy ids start with it). */
function keyTableGrants(stage: 'dev' | 'prod'): Record<string, string[]> {
  const table = keysTableId(stage);
  const grants: Record<string, string[]> = {};
  const policies = pipelineTemplate(stage).findResources('AWS::IAM::Policy') as Record<string, CfnResource>;
  for (const [id, policy] of Object.entries(policies)) {
    const document = policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined;
    for (const statement of document?.Statement ?? []) {
      if (!referencedIds(statement.Resource).has(table)) continue;
      const owner = id.replace(/(FunctionServiceRole|FunctionRole|Role).*$/, '');
      grants[owner] = [...(grants[owner] ?? []), ...[statement.Action].flat()].sort();
    }
  }
  return grants;
}

describe('infra: personal data', () => {
  it('grants the keys table exactly to the functions that encrypt or need clear values, and no delete', () => {
    const grants = keyTableGrants('dev');

    expect(Object.keys(grants).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [owner, actions] of Object.entries(EXPECTED)) expect(grants[owner], owner).toEqual(actions);
  });

  it('keeps the keys table like every table of the stack: point-in-time recovery, on demand, encrypted', () => {
    const table = pipelineTemplate('prod').findResources('AWS::DynamoDB::Table')[
      keysTableId('prod')
    ] as CfnResource;

    expect(table.Properties?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties?.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    expect(JSON.stringify(table.Properties?.SSESpecification)).toContain('DataKey');
  });

  it('tells the granted functions, and only them, where the keys table is', () => {
    const functions = pipelineTemplate('dev').findResources('AWS::Lambda::Function') as Record<
      string,
      CfnResource
    >;
    const told = Object.entries(functions)
      .filter(([, fn]) => {
        const variables = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables;
        return variables?.SUBJECT_KEYS_TABLE !== undefined;
      })
      .map(([id]) => id.replace(/Function[0-9A-F]{8}$/, ''))
      .sort();

    expect(told).toEqual(Object.keys(EXPECTED).sort());
  });
});
