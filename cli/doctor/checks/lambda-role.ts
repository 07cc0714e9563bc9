import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { CheckContext } from '../types.ts';

const TRUST_LAMBDA = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** How long a new IAM role may take to become usable by Lambda on AWS (eventual consistency). */
const PROPAGATION_MS = 30_000;

export interface LambdaRole {
  readonly arn: string;
  /** Retries `create` while Lambda still says the new role cannot be assumed. */
  retryWhilePropagating<T>(create: () => Promise<T>): Promise<T>;
}

/**
 * An execution role with only the given statements: no CloudWatch Logs permissions on purpose, so the
 * probe function leaves no log group behind on AWS.
 */
export async function createLambdaRole(
  ctx: CheckContext,
  statements: readonly object[],
): Promise<LambdaRole> {
  const { iam } = ctx.clients;
  const roleName = ctx.name('role');
  const created = await iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: TRUST_LAMBDA }),
  );
  ctx.defer(`IAM role ${roleName}`, () => iam.send(new DeleteRoleCommand({ RoleName: roleName })));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'probe',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    }),
  );
  ctx.defer(`IAM role policy ${roleName}/probe`, () =>
    iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: 'probe' })),
  );
  const arn = created.Role?.Arn ?? `arn:aws:iam::000000000000:role/${roleName}`;
  return {
    arn,
    async retryWhilePropagating(create) {
      const deadline = performance.now() + PROPAGATION_MS;
      for (;;) {
        try {
          return await create();
        } catch (error) {
          const propagating =
            error instanceof Error &&
            error.name === 'InvalidParameterValueException' &&
            /cannot be assumed|role/i.test(error.message);
          if (!propagating || performance.now() > deadline) throw error;
          ctx.log('the new role is not usable by Lambda yet; retrying');
          await ctx.sleep(2_000);
        }
      }
    },
  };
}
