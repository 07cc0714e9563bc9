import { paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import type { BundleStage } from '../../infra/constructs/function-bundle.ts';
import { clientsFor } from '../cloud/clients.ts';
import type { StackContext } from '../ops/stack-context.ts';

/** Tag every pipeline function carries: its handler file, relative to the repository root. */
export const ENTRY_TAG = 'pipeline:entry';
/** Tags saying what the function's bundle was built for (infra's `functionBundle`). */
export const STAGE_TAG = 'pipeline:stage';
export const FAULT_INJECTION_TAG = 'pipeline:fault-injection';

/** A deployed function `pipeline dev` can rebuild. */
export interface DevFunction {
  readonly logicalId: string;
  readonly name: string;
  readonly entry: string;
  readonly logGroup: string;
  /** The stage its bundle was built for: `pipeline dev` rebuilds it the same way. */
  readonly stage: BundleStage;
}

/**
 * The stage a function's bundle was built for, from its tags. Functions deployed before the stage tag
 * existed carry only the fault-injection one, which prod alone compiles out.
 */
export function bundleStageOf(tags: Readonly<Record<string, string>>): BundleStage {
  const faultInjection = tags[FAULT_INJECTION_TAG] === 'compiled-out' ? 'compiled-out' : 'allowed';
  const tagged = tags[STAGE_TAG];
  const name =
    tagged === 'prod' || tagged === 'dev' ? tagged : faultInjection === 'compiled-out' ? 'prod' : 'dev';
  return { name, faultInjection };
}

/** The stack's functions that say where their source is (functions without the tag are skipped). */
export async function devFunctions(context: StackContext): Promise<DevFunction[]> {
  const { cloudformation: cfn, lambda } = clientsFor(context.target);
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
        stage: bundleStageOf(fn.Tags ?? {}),
      });
    }
  }
  return found;
}
