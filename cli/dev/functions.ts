import { paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { clientsFor } from '../cloud/clients.ts';
import type { StackContext } from '../ops/stack-context.ts';
import { CliError } from '../output.ts';

/** Tag every pipeline function carries: its handler file, relative to the repository root. */
export const ENTRY_TAG = 'pipeline:entry';
/** Tag saying whether the function's stage builds bundles with the fault-injection switch. */
export const FAULT_INJECTION_TAG = 'pipeline:fault-injection';

/** A deployed function `pipeline dev` can rebuild. */
export interface DevFunction {
  readonly logicalId: string;
  readonly name: string;
  readonly entry: string;
  readonly logGroup: string;
  /** `compiled-out` on prod-stage functions (infra/stages.ts). */
  readonly faultInjection?: string;
}

/**
 * `pipeline dev` uploads dev builds, in which fault injection can be switched on by configuration.
 * Functions of a stage that compiles it out (prod) must only get code through a deploy.
 */
export function refuseCompiledOut(functions: readonly DevFunction[], stackName: string): void {
  const guarded = functions.filter((f) => f.faultInjection === 'compiled-out');
  if (guarded.length === 0) return;
  throw new CliError(
    `${stackName} is a prod-stage stack (${guarded.length} function(s) tagged ${FAULT_INJECTION_TAG}=compiled-out): pipeline dev does not replace their code in place.`,
    'Change a prod stack through `pipeline deploy --stage prod`; use `pipeline dev` on a dev stack.',
  );
}

/** The stack's functions that say where their source is (functions without the tag are skipped). */
export async function devFunctions(context: StackContext): Promise<DevFunction[]> {
  const cfn = clientsFor(context.target).cloudformation;
  const lambda = clientsFor(context.target).lambda;
  const found: DevFunction[] = [];
  for await (const page of paginateListStackResources({ client: cfn }, { StackName: context.stackName })) {
    for (const resource of page.StackResourceSummaries ?? []) {
      if (resource.ResourceType !== 'AWS::Lambda::Function' || !resource.PhysicalResourceId) continue;
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: resource.PhysicalResourceId }));
      const entry = fn.Tags?.[ENTRY_TAG];
      if (!entry) continue;
      found.push({
        logicalId: resource.LogicalResourceId ?? '',
        name: resource.PhysicalResourceId,
        entry,
        logGroup: fn.Configuration?.LoggingConfig?.LogGroup ?? `/aws/lambda/${resource.PhysicalResourceId}`,
        ...(fn.Tags?.[FAULT_INJECTION_TAG] ? { faultInjection: fn.Tags[FAULT_INJECTION_TAG] } : {}),
      });
    }
  }
  return found;
}
