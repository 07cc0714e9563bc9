import { describe, expect, it } from 'vitest';
import { pipelineTemplate, referencedId } from './infra-fixture.ts';

/**
 * cfn-lint runs over these templates in `npm test` and fails on any finding; what it is told to ignore
 * is kept to the one generated warning, on the resources that carry it, so a suppression cannot grow
 * unnoticed.
 */
describe.each(['dev', 'prod'] as const)('infra (%s): cfn-lint suppressions', (stage) => {
  const resources = pipelineTemplate(stage).toJSON().Resources as Record<
    string,
    { Type: string; Metadata?: Record<string, unknown> }
  >;

  it('ignores only the redundant-DependsOn warning CDK generates, and only on functions', () => {
    const suppressed = Object.entries(resources).filter(([, r]) => r.Metadata?.['cfn-lint'] !== undefined);

    expect(suppressed.length).toBeGreaterThan(0);
    for (const [id, resource] of suppressed) {
      expect(resource.Type, id).toBe('AWS::Lambda::Function');
      expect(resource.Metadata?.['cfn-lint'], id).toEqual({ config: { ignore_checks: ['W3005'] } });
    }
    expect(suppressed.length).toBe(
      Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function').length,
    );
  });
});

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
>;

/**
 * The checkov checks each resource type may skip, per stage; every other check runs and fails
 * `npm test`. Growing a list is a decision, taken here with the reason in the construct that skips.
 */
const CHECKOV_SKIPS: Record<'dev' | 'prod', Record<string, readonly string[]>> = {
  prod: {
    // No async DLQ, reserved concurrency, VPC or environment key (PipelineFunction).
    'AWS::Lambda::Function': ['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_173'],
    // SSE-SQS, not a customer-managed key (dead-letter-queue.ts).
    'AWS::SQS::Queue': ['CKV_AWS_27'],
  },
  dev: {
    'AWS::Lambda::Function': ['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_173'],
    'AWS::SQS::Queue': ['CKV_AWS_27'],
    // Dev keeps AWS-managed keys for data at rest (StageSettings.dataKey).
    'AWS::DynamoDB::Table': ['CKV_AWS_119'],
    'AWS::Logs::LogGroup': ['CKV_AWS_158'],
  },
};

describe.each(['dev', 'prod'] as const)('infra (%s): checkov skips', (stage) => {
  const resources = pipelineTemplate(stage).toJSON().Resources as Resources;
  const skipsOf = (id: string) =>
    ((resources[id]?.Metadata?.checkov as { skip?: { id: string; comment: string }[] } | undefined)?.skip ??
      []) as { id: string; comment: string }[];

  it('skips exactly the listed checks on every resource of each listed type, and nothing elsewhere', () => {
    const skipped: Record<string, Set<string>> = {};
    for (const [id, resource] of Object.entries(resources)) {
      const ids = skipsOf(id).map((s) => s.id);
      if (ids.length === 0) continue;
      expect(Object.keys(CHECKOV_SKIPS[stage]), `${id} skips ${ids.join(', ')}`).toContain(resource.Type);
      expect([...ids].sort(), id).toEqual(CHECKOV_SKIPS[stage][resource.Type]);
      skipped[resource.Type] = new Set([...(skipped[resource.Type] ?? []), id]);
    }
    for (const type of Object.keys(CHECKOV_SKIPS[stage])) {
      const all = Object.entries(resources).filter(([, r]) => r.Type === type);
      expect(all.length, type).toBeGreaterThan(0);
      expect(skipped[type]?.size, `every ${type} carries its skips`).toBe(all.length);
    }
  });

  it('gives a reason with every skip', () => {
    for (const id of Object.keys(resources)) {
      for (const skip of skipsOf(id)) expect(skip.comment.length, `${id} ${skip.id}`).toBeGreaterThan(40);
    }
  });

  // The premises of the function skips: invoked only by event source mappings (so no async DLQ), the
  // SQS mappings bounded by MaximumConcurrency (so no reserved concurrency).
  it('starts every function from an event source mapping or the HTTP API, and lets nothing invoke one asynchronously', () => {
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    const started = new Set(mappings.map((m) => referencedId(m.Properties?.FunctionName)));
    const integrations = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Integration');
    const behindApi = new Set(integrations.map((i) => referencedId(i.Properties?.IntegrationUri)));
    expect(behindApi.size).toBe(1);
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type === 'AWS::Lambda::Function')
        expect(started.has(id) || behindApi.has(id), id).toBe(true);
    }
    // The only invoke permissions: API Gateway, for this stack's API (its routes), for the API's function.
    const [api] = Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::ApiGatewayV2::Api');
    const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission');
    expect(permissions.length).toBeGreaterThan(0);
    for (const permission of permissions) {
      expect(permission.Properties?.Principal).toBe('apigateway.amazonaws.com');
      expect(behindApi.has(referencedId(permission.Properties?.FunctionName))).toBe(true);
      expect(JSON.stringify(permission.Properties?.SourceArn)).toContain(`{"Ref":"${api}"}`);
    }
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig')).toEqual([]);
  });

  it('bounds every SQS event source mapping with MaximumConcurrency', () => {
    for (const [id, mapping] of Object.entries(resources)) {
      if (mapping.Type !== 'AWS::Lambda::EventSourceMapping') continue;
      const source = JSON.stringify(mapping.Properties?.EventSourceArn);
      if (source.includes('StreamArn')) continue;
      const scaling = mapping.Properties?.ScalingConfig as { MaximumConcurrency?: number } | undefined;
      expect(scaling?.MaximumConcurrency, id).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('infra: data at rest under the stack data key (prod)', () => {
  const resources = pipelineTemplate('prod').toJSON().Resources as Resources;
  const keyIds = Object.entries(resources)
    .filter(([id, r]) => r.Type === 'AWS::KMS::Key' && id.startsWith('DataKey'))
    .map(([id]) => id);

  it('encrypts every table and log group with the one data key', () => {
    expect(keyIds).toHaveLength(1);
    const key = { 'Fn::GetAtt': [keyIds[0], 'Arn'] };
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type === 'AWS::DynamoDB::Table') {
        expect(r.Properties?.SSESpecification, id).toEqual({
          KMSMasterKeyId: key,
          SSEEnabled: true,
          SSEType: 'KMS',
        });
      }
      if (r.Type === 'AWS::Logs::LogGroup') expect(r.Properties?.KmsKeyId, id).toEqual(key);
    }
  });

  it('lets the functions use the data key only through DynamoDB, but for the stream reader CDK grants', () => {
    const statements = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .flatMap(([id, r]) =>
        (
          (r.Properties?.PolicyDocument as { Statement?: Record<string, unknown>[] } | undefined)
            ?.Statement ?? []
        ).map((statement) => [id, statement] as const),
      )
      .filter(([, statement]) => JSON.stringify(statement.Resource).includes(keyIds[0] ?? '-'));

    // The stream readers (the outbox, the projector): their policies read the store's stream records.
    const streamReaders = new Set(
      Object.entries(resources)
        .filter(
          ([, r]) =>
            r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes('dynamodb:GetRecords'),
        )
        .map(([id]) => id),
    );
    expect([...streamReaders].map((id) => id.slice(0, 'OrdersProjector'.length)).sort()).toEqual([
      'OrdersProjector',
      'OutboxPublisher',
    ]);
    expect(statements.length).toBeGreaterThan(0);
    for (const [id, statement] of statements) {
      if (streamReaders.has(id) && statement.Condition === undefined) {
        // DynamoEventSource's stream read: Decrypt and DescribeKey, to read the encrypted stream.
        expect(statement.Action, id).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
        continue;
      }
      expect(JSON.stringify(statement.Condition), id).toContain('"kms:ViaService"');
      expect(JSON.stringify(statement.Condition), id).toContain('dynamodb.');
    }
  });

  it('has no data key in dev, where the local cloud runs without KMS', () => {
    const dev = pipelineTemplate('dev').toJSON().Resources as Resources;
    expect(Object.keys(dev).filter((id) => id.startsWith('DataKey'))).toEqual([]);
  });
});
