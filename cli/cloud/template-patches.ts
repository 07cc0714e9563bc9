import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  CreateArchiveCommand,
  DescribeEventBusCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import type { ResourceCheck } from '../deploy/verify.ts';
import type { Reporter } from '../output.ts';
import { clientsFor } from './clients.ts';
import type { Target } from './target.ts';

/**
 * Resource types MiniStack's CloudFormation rejects outright ("Unrecognized resource types"), failing
 * the whole deploy. Measured on MiniStack 1.5.33. For these, the local tooling deploys the template
 * without them and then creates each through its service API, saying so. AWS and LocalStack get the
 * untouched template.
 */
export const MINISTACK_UNSUPPORTED_TYPES = [
  'AWS::Events::Archive',
  'AWS::EventSchemas::Registry',
  'AWS::EventSchemas::Schema',
] as const;

interface Template {
  Resources?: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }
  >;
  Outputs?: Record<string, unknown>;
}

/** A resource taken out of the template for the emulator, to be created through its API instead. */
export interface StrippedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
}

const mentions = (value: unknown, logicalId: string): boolean =>
  JSON.stringify(value ?? null).includes(`"${logicalId}"`);

/** Removes resources of the given types, plus DependsOn entries and outputs that name them. */
export function stripResources(template: Template, types: readonly string[]): StrippedResource[] {
  const stripped: StrippedResource[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (!types.includes(resource.Type)) continue;
    stripped.push({ logicalId, type: resource.Type, properties: resource.Properties ?? {} });
    delete template.Resources?.[logicalId];
  }
  for (const { logicalId } of stripped) {
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.DependsOn === logicalId) delete resource.DependsOn;
      else if (Array.isArray(resource.DependsOn))
        resource.DependsOn = resource.DependsOn.filter((d) => d !== logicalId);
    }
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      if (mentions(output, logicalId)) delete template.Outputs?.[name];
    }
  }
  return stripped;
}

/** Patches every stack template of a synthesized cloud assembly in place. */
export function patchAssembly(assemblyDir: string, types: readonly string[]): StrippedResource[] {
  const all: StrippedResource[] = [];
  for (const file of readdirSync(assemblyDir).filter((f) => f.endsWith('.template.json'))) {
    const path = `${assemblyDir}/${file}`;
    const template = JSON.parse(readFileSync(path, 'utf8')) as Template;
    const stripped = stripResources(template, types);
    if (stripped.length > 0) writeFileSync(path, JSON.stringify(template, null, 1));
    all.push(...stripped);
  }
  return all;
}

/**
 * Creates the stripped resources through their APIs where the emulator has one (idempotent: existing
 * ones are left alone); returns what was done for each, by logical id.
 */
export async function createStrippedResources(
  target: Target,
  stripped: readonly StrippedResource[],
  deployed: readonly ResourceCheck[],
  reporter: Reporter,
): Promise<Map<string, string>> {
  const events = clientsFor(target).events;
  const notes = new Map<string, string>();
  const schemas = stripped.filter((r) => r.type.startsWith('AWS::EventSchemas::'));
  if (schemas.length > 0) {
    // No schemas API to create them through: say so once, and where the same schemas are.
    const count = schemas.filter((r) => r.type === 'AWS::EventSchemas::Schema').length;
    const note = `MiniStack has no EventBridge schema registry (AWS::EventSchemas::*): deployed the template without the registry and its ${count} schemas, which exist on AWS only; \`pipeline catalog export\` writes the same schemas locally. AWS deploys are unaffected.`;
    reporter.warn(`local-cloud fix-up: ${note}`);
    for (const schema of schemas) notes.set(schema.logicalId, note);
  }
  for (const resource of stripped) {
    if (resource.type !== 'AWS::Events::Archive') continue;
    const props = resource.properties;
    const sourceArn = await resolveBusArn(events, props.SourceArn, deployed);
    const name = (props.ArchiveName as string | undefined) ?? resource.logicalId.slice(0, 48);
    try {
      await events.send(
        new CreateArchiveCommand({
          ArchiveName: name,
          EventSourceArn: sourceArn,
          ...(props.RetentionDays !== undefined ? { RetentionDays: Number(props.RetentionDays) } : {}),
          ...(props.EventPattern ? { EventPattern: JSON.stringify(props.EventPattern) } : {}),
          ...(props.Description ? { Description: String(props.Description) } : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
    }
    const note = `MiniStack's CloudFormation does not support AWS::Events::Archive; deployed the template without it and created archive "${name}" through events:CreateArchive. AWS deploys are unaffected.`;
    reporter.warn(`local-cloud fix-up: ${resource.logicalId}: ${note}`);
    notes.set(resource.logicalId, note);
  }
  return notes;
}

async function resolveBusArn(events: EventBridgeClient, value: unknown, deployed: readonly ResourceCheck[]) {
  if (typeof value === 'string') return value;
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  const bus = deployed.find((r) => r.logicalId === getAtt?.[0]);
  if (!bus) throw new Error(`Cannot resolve the archive source ${JSON.stringify(value)}`);
  const described = await events.send(new DescribeEventBusCommand({ Name: bus.physicalId }));
  return described.Arn as string;
}
