import type { Command } from 'commander';
import { clientsFor } from '../cloud/clients.ts';
import { describeForget, operatorName, stackSubjectKeys } from '../ops/personal-data.ts';
import { stackContext } from '../ops/stack-context.ts';
import { CliError } from '../output.ts';
import { globals } from './common.ts';

/** `pipeline forget <subjectId>`: the right to erasure, by crypto-shredding (docs/personal-data.md). */
export function registerForgetCommand(program: Command): void {
  program
    .command('forget <subjectId>')
    .description(
      "Erase a data subject's personal data: delete its key from the keys table (crypto-shredding), leaving an audit tombstone",
    )
    .option(
      '--requested-by <who>',
      'recorded with the erasure (a person or a ticket id; never personal data)',
    )
    .addHelpText(
      'after',
      [
        '',
        'The subject id is what the catalog names the data subject: customerId (orders), userId (onboarding).',
        'Afterwards every copy of its personal fields (event store, bus archive, DLQs, read models) is unreadable,',
        'consumers skip side effects for it with a logged reason, and replays keep working. Forgetting twice is fine.',
        'PITR and backups of the keys table still hold the key for up to 35 days: see docs/personal-data.md.',
        '',
        'Examples:',
        '  pipeline forget cus-42 --requested-by ticket-1234',
        '  pipeline forget usr-42 --json     # {"subjectId": "...", "outcome": "erased|no-key|already", "forgottenAt": "..."}',
      ].join('\n'),
    )
    .action(async (subjectId: string, options: { requestedBy?: string }, command: Command) => {
      const { reporter, stackName } = globals(command);
      if (subjectId.trim() !== subjectId || subjectId.length === 0 || subjectId.length > 1000) {
        throw new CliError(
          `"${subjectId}" is not a subject id.`,
          'Pass the id exactly as stored, e.g. cus-42.',
          2,
        );
      }
      const requestedBy = operatorName(options.requestedBy);
      const context = await stackContext(stackName);
      const keys = stackSubjectKeys(context, clientsFor(context.target).dynamodb);
      reporter.step(`Deleting the key of ${subjectId} in ${stackName}`);
      const result = await keys.forget(subjectId, { requestedBy, at: new Date() });
      reporter.result({ ...result, requestedBy, stack: stackName }, () => describeForget(result));
    });
}
