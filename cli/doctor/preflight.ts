import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { clientsFor } from '../cloud/clients.ts';
import type { Target } from '../cloud/target.ts';
import { CliError } from '../output.ts';

const HOW_TO_CONFIGURE =
  'Run `pipeline cloud start`, or set AWS_ENDPOINT_URL / AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID…).';

/**
 * One cheap call before any check runs, so that a missing endpoint or missing credentials give one
 * clear error instead of fourteen failed checks. Returns the account the probes will run in.
 */
export async function preflight(target: Target, timeoutMs = 10_000): Promise<string | undefined> {
  const sts = clientsFor(target, { maxAttempts: 1 }).sts;
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    return identity.Account;
  } catch (error) {
    throw explain(error, target);
  } finally {
    sts.destroy();
  }
}

function explain(error: unknown, target: Target): CliError {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | undefined)?.code ?? '';
  if (target.kind === 'aws' && name === 'CredentialsProviderError') {
    return new CliError(
      'No endpoint or AWS credentials are configured: AWS_ENDPOINT_URL is not set, no local cloud is running, and the SDK found no credentials.',
      HOW_TO_CONFIGURE,
    );
  }
  const unreachable =
    /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|ETIMEDOUT|socket hang up/.test(`${code} ${message}`) ||
    name === 'TimeoutError' ||
    name === 'AbortError';
  if (unreachable) {
    const where = target.endpoint ?? `AWS (${target.region})`;
    return new CliError(
      `Nothing answers at ${where} (${code || name}: ${message}).`,
      target.kind === 'local'
        ? 'The recorded local cloud does not answer: run `pipeline cloud status`, or `pipeline cloud stop && pipeline cloud start`.'
        : target.kind === 'endpoint'
          ? 'Start the emulator AWS_ENDPOINT_URL points at, or unset AWS_ENDPOINT_URL to use the local cloud (`pipeline cloud start`) or AWS.'
          : HOW_TO_CONFIGURE,
    );
  }
  return new CliError(
    `${target.endpoint ?? 'AWS'} rejected the credentials (${name}: ${message}).`,
    HOW_TO_CONFIGURE,
  );
}
