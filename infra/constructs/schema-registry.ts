import { Stack } from 'aws-cdk-lib';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import type { AnyCatalog } from '../../shared/kit/events/catalog.ts';
import { toJsonSchemas } from '../../shared/kit/events/json-schema.ts';

/** Props of {@link EventSchemaRegistry}. */
export interface EventSchemaRegistryProps {
  /** The catalogs whose event versions are published (every deployed context's). */
  readonly catalogs: readonly AnyCatalog[];
  /** @default `<stack name>-events` */
  readonly registryName?: string;
}

/** Registry names: letters, digits, `.`, `-`, `_`, at most 64. */
const REGISTRY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/**
 * The event catalog where AWS users look for it: an EventBridge schema registry with one schema per
 * event type and version (JSON Schema draft 4, as the registry takes it), named `<source>@<Type>.v<N>`
 * after the `<source>@<detail-type>` names EventBridge discovery gives. Each schema describes the
 * EventBridge event as a consumer receives it, the envelope as its `detail`, so teams in other
 * repositories download code bindings for exactly what arrives. The same schemas are written locally
 * by `pipeline catalog export`.
 */
export class EventSchemaRegistry extends Construct {
  readonly registry: CfnRegistry;
  readonly schemas: readonly CfnSchema[];

  constructor(scope: Construct, id: string, props: EventSchemaRegistryProps) {
    super(scope, id);
    const registryName = props.registryName ?? `${Stack.of(this).stackName}-events`;
    if (!REGISTRY_NAME.test(registryName))
      throw new Error(`registryName "${registryName}": use at most 64 letters, digits, ".", "-" or "_"`);
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName,
      description:
        'Every event type and version of the pipeline, one JSON Schema each (the envelope as `detail`).',
    });
    const seen = new Set<string>();
    const schemas: CfnSchema[] = [];
    for (const catalog of props.catalogs) {
      const versions = new Map(catalog.versions().map((v) => [`${v.type}.v${v.version}`, v]));
      for (const { name, schema } of toJsonSchemas(catalog, { target: 'draft-04' })) {
        // A context's catalog also lists the foreign events it consumes: publish each version once.
        if (seen.has(name)) continue;
        seen.add(name);
        const source = versions.get(name)?.source ?? 'unknown';
        const resource = new CfnSchema(this, name.replace(/[^A-Za-z0-9]/g, ''), {
          registryName,
          schemaName: `${source}@${name}`,
          type: 'JSONSchemaDraft4',
          description: String(schema.description ?? name).slice(0, 256),
          content: JSON.stringify(eventBridgeEvent(name, schema)),
        });
        resource.addDependency(this.registry);
        schemas.push(resource);
      }
    }
    this.schemas = schemas;
  }
}

/** The EventBridge event that carries `envelope` as its detail, as a rule target receives it. */
function eventBridgeEvent(name: string, envelope: Record<string, unknown>): Record<string, unknown> {
  const { $schema, title: _title, description, ...detail } = envelope;
  const type = name.slice(0, name.lastIndexOf('.v'));
  const text = { type: 'string' };
  return {
    $schema,
    title: name,
    description,
    type: 'object',
    required: ['detail-type', 'source', 'detail'],
    properties: {
      version: text,
      id: text,
      'detail-type': { type: 'string', enum: [type] },
      source: text,
      account: text,
      time: { type: 'string', format: 'date-time' },
      region: text,
      resources: { type: 'array', items: text },
      detail,
    },
  };
}
