import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { StackContext } from '../ops/stack-context.ts';

/** Tag every pipeline function carries: its handler file, relative to the repository root. */
export const ENTRY_TAG = 'pipeline:entry';

/** A deployed function `pipeline dev` can rebuild. */
export interface DevFunction {
  readonly logicalId: string;
  readonly name: string;
  readonly entry: string;
  readonly logGroup: string;
}

/** The stack's functions that say where their source is (functions without the tag are skipped). */
export async function devFunctions(context: StackContext): Promise<DevFunction[]> {
  const cfn = new CloudFormationClient({ region: context.target.region });
  const lambda = new LambdaClient({ region: context.target.region });
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
      });
    }
  }
  return found;
}
