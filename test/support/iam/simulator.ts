/**
 * The thin adapter between the IAM check and the policy simulator library
 * (`@cloud-copilot/iam-simulate`). The library is loaded at run time with `require`, which also
 * honours NODE_PATH, and typed here by the few members used, so the rest of the suite typechecks
 * and runs without it; only the check itself needs it installed.
 */
import { createRequire } from 'node:module';
import type { Simulate, SimulationAnswer, SimulationQuestion } from './evaluate.ts';
import type { PolicyDocument } from './policies.ts';

/** The members of the library the check uses (its own types are richer). */
interface IamSimulateModule {
  runSimulation(
    simulation: {
      request: {
        principal: string;
        action: string;
        resource: { resource: string; accountId: string };
        contextVariables: Record<string, string | string[]>;
      };
      identityPolicies: { name: string; policy: PolicyDocument }[];
      serviceControlPolicies: [];
      resourceControlPolicies: [];
      resourcePolicy?: PolicyDocument;
    },
    options: Record<string, never>,
  ): Promise<
    | { resultType: 'error'; errors: { message: string } }
    | { resultType: 'single'; overallResult: string; result: { analysis: unknown } }
    | { resultType: 'wildcard'; overallResult: string; results: { analysis: unknown }[] }
  >;
  getDenialReasons(analysis: unknown): {
    policyType: string;
    denialType: 'Implicit' | 'Explicit';
    identifier?: string;
    policyIdentifier?: string;
    statementId?: string;
    statementIndex?: number;
  }[];
}

export const SIMULATOR_PACKAGE = '@cloud-copilot/iam-simulate';

/** Loads the library, or says how to get it. */
export function loadSimulatorModule(): IamSimulateModule {
  const require = createRequire(import.meta.url);
  try {
    return require(SIMULATOR_PACKAGE) as IamSimulateModule;
  } catch (error) {
    throw new Error(
      `The IAM check needs ${SIMULATOR_PACKAGE} (a devDependency): run npm install. (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    );
  }
}

function reasonText(
  reason: ReturnType<IamSimulateModule['getDenialReasons']>[number],
  action: string,
): string {
  const where = reason.policyIdentifier ?? reason.identifier;
  const statement = reason.statementId ?? (reason.statementIndex ? `#${reason.statementIndex}` : undefined);
  // For KMS the resource policy is the key policy, and it decides even within the account.
  const resourceLabel = action.startsWith('kms:') ? 'key policy' : 'resource policy';
  const label = reason.policyType === 'resource' ? resourceLabel : `${reason.policyType} policies`;
  if (reason.denialType === 'Explicit') {
    return `explicit Deny in ${label}${where ? ` ${where}` : ''}${statement ? ` statement ${statement}` : ''}`;
  }
  return `no Allow in ${label}${where ? ` ${where}` : ''}`;
}

/**
 * A {@link Simulate} backed by the library. Requests are signed over TLS, as the SDK does on AWS
 * (the topics' and queues' policies deny `aws:SecureTransport=false`).
 */
export function librarySimulator(library: IamSimulateModule = loadSimulatorModule()): Simulate {
  return async (question: SimulationQuestion): Promise<SimulationAnswer> => {
    const outcome = await library.runSimulation(
      {
        request: {
          principal: question.principal,
          action: question.action,
          resource: { resource: question.resource, accountId: question.account },
          contextVariables: { 'aws:SecureTransport': 'true', ...question.context },
        },
        identityPolicies: question.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(question.resourcePolicy ? { resourcePolicy: question.resourcePolicy } : {}),
      },
      {},
    );
    if (outcome.resultType === 'error') return { result: 'Error', reasons: [outcome.errors.message] };
    const result = outcome.overallResult as SimulationAnswer['result'];
    if (result === 'Allowed') return { result, reasons: [] };
    const analyses =
      outcome.resultType === 'single' ? [outcome.result.analysis] : outcome.results.map((r) => r.analysis);
    const reasons = analyses.flatMap((a) =>
      library.getDenialReasons(a).map((r) => reasonText(r, question.action)),
    );
    return { result, reasons: [...new Set(reasons)] };
  };
}
