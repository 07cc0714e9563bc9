/**
 * The console's ports on a deployed stack, each through the module its CLI command uses: status for
 * depths, tail's tap for events, trace for flows, the dlq modules for dead letters, inject for inject.
 */
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { PRODUCER_INTAKE_TYPES, pipelineCatalog } from '../../shared/contexts/index.ts';
import { toJsonSchemas } from '../../shared/kit/events/json-schema.ts';
import { clientsFor } from '../cloud/clients.ts';
import { loadDlqContext, pickQueue, where } from '../dlq/context.ts';
import { auditedRedrive, listEntries, showMessages } from '../dlq/inspect.ts';
import { type CfnTemplateJson, topologyFromTemplate } from '../docs/topology.ts';
import { buildEvents, catalogType, putAll } from '../ops/inject.ts';
import { protectOutgoing, stackSubjectKeys } from '../ops/personal-data.ts';
import { type GlobalOptions, requiredOutput, type StackContext } from '../ops/stack-context.ts';
import { queueStatuses } from '../ops/status.ts';
import { openTap } from '../ops/tail.ts';
import { traceFlow } from '../ops/trace-flow.ts';
import { ordersContext } from '../orders/context.ts';
import type { Reporter } from '../output.ts';
import { correlationOfOrder } from './flow-id.ts';
import type { CatalogEntry, ConsolePorts } from './ports.ts';

/** The latest version of every catalog type, with the JSON Schema of its data. */
export function catalogEntries(): CatalogEntry[] {
  return toJsonSchemas(pipelineCatalog, { target: 'draft-2020-12' })
    .filter((schema) => schema.latest)
    .map(({ type, schema }) => {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      return {
        type,
        schema: properties.data ?? {},
        example: pipelineCatalog.definitionOf(type).example,
        intake: PRODUCER_INTAKE_TYPES.includes(type),
      };
    });
}

/**
 * A reporter for work the console does on a page's behalf: steps are detail (shown with --verbose),
 * so a busy page does not flood the terminal; warnings still show.
 */
export function quietReporter(reporter: Reporter): Reporter {
  return { ...reporter, step: (message) => reporter.detail(message) };
}

/** Ports reading `context`'s stack; `options` are the CLI's global options (stack name, reporter). */
export function livePorts(context: StackContext, options: GlobalOptions): ConsolePorts {
  const clients = clientsFor(context.target);
  const reporter = quietReporter(options.reporter);
  const dlqContext = () => loadDlqContext({ ...options, reporter });
  return {
    stackName: context.stackName,
    where: where(context.target),
    topology: async () => {
      // The template as deployed: what the docs draw from a synthesized one, here from the stack itself.
      const { TemplateBody } = await clients.cloudformation.send(
        new GetTemplateCommand({ StackName: context.stackName }),
      );
      return topologyFromTemplate(JSON.parse(TemplateBody ?? '{}') as CfnTemplateJson);
    },
    depths: () => queueStatuses(context, clients),
    openEvents: () => openTap(clients, requiredOutput(context, OUTPUTS.busName), {}),
    trace: async (id) => {
      // An order id is looked up first: what an operator has at hand is usually the order.
      const correlationId = (await correlationOfOrder(ordersContext(context).store, id)) ?? id;
      return (await traceFlow(context, correlationId, {}, reporter)).trace;
    },
    deadLetters: async () => listEntries(await dlqContext(), 'auto'),
    deadLetterMessages: async (queue, limit) => {
      const dlqs = await dlqContext();
      return showMessages(
        dlqs,
        pickQueue(queue, dlqs.stack.dlqs, dlqs.stackName, 'dead-letter queue'),
        limit,
      );
    },
    redrive: async (queue, ids) => {
      const dlqs = await dlqContext();
      const dlq = pickQueue(queue, dlqs.stack.dlqs, dlqs.stackName, 'dead-letter queue');
      return auditedRedrive(dlqs, dlq, { ids, dryRun: false, to: undefined });
    },
    catalog: catalogEntries,
    inject: async (type, data, correlationId) => {
      const events = buildEvents(catalogType(type), data, 1, correlationId);
      // Personal fields leave encrypted, as `pipeline inject` sends them.
      const outgoing = await protectOutgoing(events, stackSubjectKeys(context, clients.dynamodb));
      return putAll(clients.events, requiredOutput(context, OUTPUTS.busName), outgoing);
    },
  };
}
