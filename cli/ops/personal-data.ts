import { userInfo } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { pipelineCatalog } from '../../shared/contexts/index.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { DynamoDbSubjectKeys } from '../../shared/kit/personal-data/dynamodb-subject-keys.ts';
import { protectEvent } from '../../shared/kit/personal-data/protect.ts';
import type { ForgetResult, SubjectKeys } from '../../shared/kit/personal-data/subject-keys.ts';
import { CliError } from '../output.ts';
import { requiredOutput, type StackContext } from './stack-context.ts';

/** The deployed keys table of a stack, through the operator's credentials. */
export function stackSubjectKeys(context: StackContext, client: DynamoDBClient): SubjectKeys {
  return new DynamoDbSubjectKeys({ client, tableName: requiredOutput(context, OUTPUTS.subjectKeysTable) });
}

/**
 * Encrypts the personal fields of events about to leave the CLI (`pipeline inject`), as an intake
 * would: what reaches the bus, its archive and any DLQ is ciphertext. Events without personal fields
 * pass unchanged and cost no key read.
 */
export async function protectOutgoing<E extends EventEnvelope>(
  events: readonly E[],
  keys: SubjectKeys,
): Promise<E[]> {
  const protectedEvents: E[] = [];
  for (const event of events) protectedEvents.push(await protectEvent(pipelineCatalog, event, keys));
  return protectedEvents;
}

/** Who is asking, for the erasure's audit record: the operator's name on this machine, unless given. */
export function operatorName(given: string | undefined): string {
  if (given !== undefined) {
    if (given.trim().length === 0)
      throw new CliError('--requested-by is empty.', 'Name the person or ticket asking.', 2);
    return given.trim();
  }
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}

/** The sentence `pipeline forget` prints for each outcome. */
export function describeForget(result: ForgetResult): string {
  switch (result.outcome) {
    case 'erased':
      return `Forgot ${result.subjectId}: its key is deleted (tombstone at ${result.forgottenAt}). Every stored, archived and dead-lettered copy of its personal fields is now unreadable; warm functions drop a cached key within the key cache TTL (60 s by default).`;
    case 'no-key':
      return `No key existed for ${result.subjectId} (nothing was encrypted for it). A tombstone (${result.forgottenAt}) now makes any later personal field of ${result.subjectId} be stored as erased.`;
    case 'already':
      return `${result.subjectId} was already forgotten at ${result.forgottenAt}; nothing changed.`;
  }
}
