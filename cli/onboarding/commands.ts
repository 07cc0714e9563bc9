import type { Command } from 'commander';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { onboardingCatalog } from '../../shared/contexts/onboarding/events/catalog.ts';
import { userStreamId } from '../../shared/contexts/onboarding/use-cases/accounts.ts';
import { profileStreamId } from '../../shared/contexts/onboarding/use-cases/profiles.ts';
import { settingsStreamId } from '../../shared/contexts/onboarding/use-cases/settings.ts';
import { welcomeStreamId } from '../../shared/contexts/onboarding/use-cases/welcome.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import { storedEventUpcaster } from '../../shared/kit/events/internal.ts';
import { clientsFor } from '../cloud/clients.ts';
import { globals } from '../commands/common.ts';
import { requiredOutput, stackContext } from '../ops/stack-context.ts';
import { CliError, table } from '../output.ts';

/** One event of a user's streams, as the command prints it. */
interface UserEvent {
  readonly stream: string;
  readonly version: number;
  readonly time: string;
  readonly type: string;
  readonly data: unknown;
}

/** `pipeline onboarding …`: the onboarding context's own commands. */
export function registerOnboardingCommands(program: Command): void {
  const onboarding = program
    .command('onboarding')
    .description('The onboarding context: a user as each of its consumers stored it');

  onboarding
    .command('user <userId>')
    .description(
      "Show a user's events in every onboarding stream (account, welcome, settings, profile), by time",
    )
    .action(async (userId: string, _options: unknown, command: Command) => {
      const { reporter, stackName } = globals(command);
      const stack = await stackContext(stackName);
      const store = new DynamoDbEventStore({
        client: clientsFor(stack.target).dynamodb,
        tableName: requiredOutput(stack, OUTPUTS.eventStoreTable),
        upcast: storedEventUpcaster(onboardingCatalog),
      });
      const streams = [userStreamId, welcomeStreamId, settingsStreamId, profileStreamId].map((of) =>
        of(userId),
      );
      const events: UserEvent[] = [];
      for (const stream of streams) {
        reporter.step(`Reading ${stream}`);
        for await (const { streamVersion, event } of store.readAll(stream)) {
          events.push({
            stream,
            version: streamVersion,
            time: event.time,
            type: event.type,
            data: event.data,
          });
        }
      }
      if (events.length === 0) {
        throw new CliError(
          `No onboarding events for user "${userId}".`,
          'Check the id; `pipeline inject UserRegistered --example` registers one.',
          1,
        );
      }
      events.sort((a, b) => (a.time === b.time ? 0 : a.time < b.time ? -1 : 1));
      reporter.result({ userId, events }, () =>
        table([
          ['TIME', 'STREAM', 'V', 'TYPE'],
          ...events.map((e) => [e.time, e.stream, String(e.version), e.type]),
        ]),
      );
    });
}
