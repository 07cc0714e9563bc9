import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, PutPermissionCommand } from '@aws-sdk/client-eventbridge';
import { GetTopicAttributesCommand, SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import type { ResourceCheck } from '../deploy/verify.ts';
import type { Reporter } from '../output.ts';
import { clientsFor } from './clients.ts';
import type { FixupResult } from './fixups.ts';
import { LOCAL_ACCOUNT, type Target } from './target.ts';

/**
 * More emulator gap corrections, each measured on MiniStack 1.5.33 (test/int/conformance.int.test.ts):
 * properties its CloudFormation accepts but does not apply, re-applied through the service APIs.
 * The template stays AWS-correct; every change is reported; nothing here runs against AWS.
 */

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
type Template = { Resources?: Record<string, TemplateResource> };

interface Context {
  readonly target: Target;
  readonly deployed: readonly ResourceCheck[];
  readonly reporter: Reporter;
}

const physicalId = (ctx: Context, logicalId: string) =>
  ctx.deployed.find((r) => r.logicalId === logicalId)?.physicalId;

function report(ctx: Context, resource: string, detail: string): FixupResult {
  ctx.reporter.warn(`local-cloud fix-up: ${resource}: ${detail}`);
  return { resource, action: 'patched', detail };
}

/** Account ids named by a bus policy statement's AWS principals (ARNs or plain ids, CDK joins resolved). */
export function principalAccounts(principal: unknown): string[] {
  const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
  const list = Array.isArray(aws) ? aws : [aws];
  return list
    .map((p) => (typeof p === 'string' ? p : JSON.stringify(p ?? '')))
    .map((text) => /(\d{12})/.exec(text)?.[1] ?? (/AWS::AccountId/.test(text) ? LOCAL_ACCOUNT : undefined))
    .filter((a): a is string => Boolean(a));
}

/** Bus `Policy` is dropped by the emulator: grant each PutEvents principal with PutPermission instead. */
async function busPolicies(ctx: Context, template: Template): Promise<FixupResult[]> {
  const events = clientsFor(ctx.target).events;
  const results: FixupResult[] = [];
  for (const [logicalId, r] of Object.entries(template.Resources ?? {})) {
    const statements = (
      r.Properties?.Policy as { Statement?: { Sid?: string; Action?: unknown; Principal?: unknown }[] }
    )?.Statement;
    const busName = physicalId(ctx, logicalId);
    if (r.Type !== 'AWS::Events::EventBus' || !statements || !busName) continue;
    const live = await events.send(new DescribeEventBusCommand({ Name: busName }));
    if (live.Policy) continue;
    for (const [i, statement] of statements.entries()) {
      if (statement.Action !== 'events:PutEvents') continue;
      for (const account of principalAccounts(statement.Principal)) {
        const sid = `${statement.Sid ?? `Statement${i}`}${account}`.slice(0, 64);
        await events.send(
          new PutPermissionCommand({
            EventBusName: busName,
            StatementId: sid,
            Action: 'events:PutEvents',
            Principal: account,
          }),
        );
      }
    }
    results.push(
      report(
        ctx,
        logicalId,
        'emulator dropped the bus Policy; PutEvents principals granted through PutPermission.',
      ),
    );
  }
  return results;
}

/** A topic's KmsMasterKeyId is dropped by the emulator: set it through SetTopicAttributes. */
async function topicKeys(ctx: Context, template: Template): Promise<FixupResult[]> {
  const sns = clientsFor(ctx.target).sns;
  const results: FixupResult[] = [];
  for (const [logicalId, r] of Object.entries(template.Resources ?? {})) {
    const keyRef = (r.Properties?.KmsMasterKeyId as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
      'Fn::GetAtt'
    ]?.[0];
    const topicArn = physicalId(ctx, logicalId);
    const keyId = keyRef ? physicalId(ctx, keyRef) : undefined;
    if (r.Type !== 'AWS::SNS::Topic' || !topicArn || !keyId) continue;
    const live = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    if (live.Attributes?.KmsMasterKeyId) continue;
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArn,
        AttributeName: 'KmsMasterKeyId',
        AttributeValue: keyId,
      }),
    );
    results.push(report(ctx, logicalId, 'emulator dropped KmsMasterKeyId; set through SetTopicAttributes.'));
  }
  return results;
}

/** Table TTL, point-in-time recovery and SSE are dropped by the emulator: apply each through the API. */
async function tableSettings(ctx: Context, template: Template): Promise<FixupResult[]> {
  const dynamo = clientsFor(ctx.target).dynamodb;
  const results: FixupResult[] = [];
  for (const [logicalId, r] of Object.entries(template.Resources ?? {})) {
    const table = physicalId(ctx, logicalId);
    if (r.Type !== 'AWS::DynamoDB::Table' || !table) continue;
    const props = r.Properties ?? {};
    const applied: string[] = [];
    const ttl = props.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    if (ttl?.Enabled && ttl.AttributeName) {
      const live = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: table }));
      if (live.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
        await dynamo.send(
          new UpdateTimeToLiveCommand({
            TableName: table,
            TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
          }),
        );
        applied.push(`TTL on ${ttl.AttributeName}`);
      }
    }
    const pitr = props.PointInTimeRecoverySpecification as
      | { PointInTimeRecoveryEnabled?: boolean }
      | undefined;
    if (pitr?.PointInTimeRecoveryEnabled) {
      const live = await dynamo.send(new DescribeContinuousBackupsCommand({ TableName: table }));
      if (
        live.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus !==
        'ENABLED'
      ) {
        await dynamo.send(
          new UpdateContinuousBackupsCommand({
            TableName: table,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        );
        applied.push('point-in-time recovery');
      }
    }
    if ((props.SSESpecification as { SSEEnabled?: boolean } | undefined)?.SSEEnabled) {
      const live = await dynamo.send(new DescribeTableCommand({ TableName: table }));
      if (!live.Table?.SSEDescription) {
        await dynamo.send(
          new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: true, SSEType: 'KMS' } }),
        );
        applied.push('server-side encryption');
      }
    }
    if (applied.length > 0) {
      results.push(
        report(ctx, logicalId, `emulator dropped ${applied.join(', ')}; applied through the DynamoDB API.`),
      );
    }
  }
  return results;
}

/** Runs every resource fix-up; each is a no-op once the emulator applies the property itself. */
export async function ensureResourceSettings(
  target: Target,
  template: Template,
  deployed: readonly ResourceCheck[],
  reporter: Reporter,
): Promise<FixupResult[]> {
  if (target.kind === 'aws') return [];
  const ctx: Context = { target, deployed, reporter };
  return [
    ...(await busPolicies(ctx, template)),
    ...(await topicKeys(ctx, template)),
    ...(await tableSettings(ctx, template)),
  ];
}
