import type { Target } from '../cloud/target.ts';
import { CliError } from '../output.ts';

/** What `pipeline destroy` is about to remove, as the user is shown it before anything happens. */
export interface DestroyScope {
  readonly target: Target;
  readonly stackName: string;
  readonly stage: string;
  /** The account the credentials belong to (STS), or the emulator's. */
  readonly account: string;
}

/** How the user answered: flags, and whether a person can be asked. */
export interface DestroyConsent {
  readonly yes: boolean;
  readonly allowProd: boolean;
  /** stdin and stderr are a terminal (a prompt can be answered). */
  readonly interactive: boolean;
}

/** Where the stack is, in words: "AWS account 123… in eu-west-1" or "the endpoint http://…". */
export function describeScope(scope: DestroyScope): string {
  const { target, stackName, account } = scope;
  const where =
    target.kind === 'aws'
      ? `AWS account ${account} in ${target.region}`
      : `${target.kind === 'local' ? 'the local cloud' : 'AWS_ENDPOINT_URL'} ${target.endpoint} (account ${account}, ${target.region})`;
  return `stack ${stackName} (stage ${scope.stage}) on ${where}`;
}

/**
 * Decides whether `pipeline destroy` may go ahead (pure): a prod stage needs `--allow-prod`; the
 * local cloud (throwaway by design) needs nothing else; anywhere else needs `--yes` or a person
 * typing the stack name. Returns `ask` when the prompt decides; throws a {@link CliError} (exit 2)
 * saying what to add when it may not go ahead.
 */
export function destroyDecision(scope: DestroyScope, consent: DestroyConsent): 'proceed' | 'ask' {
  const what = describeScope(scope);
  if (scope.stage === 'prod' && !consent.allowProd) {
    throw new CliError(
      `Refusing to destroy a prod stage: ${what}.`,
      'A prod stack keeps orders and their history; add --allow-prod (and --yes in scripts) if you really mean it.',
      2,
    );
  }
  if (scope.target.kind === 'local' || consent.yes) return 'proceed';
  if (consent.interactive) return 'ask';
  throw new CliError(
    `Not destroying ${what} without confirmation (no terminal to ask on).`,
    'Add --yes to confirm in scripts, or run it in a terminal to be asked.',
    2,
  );
}
