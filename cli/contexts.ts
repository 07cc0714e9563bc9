import type { Command } from 'commander';
import { registerOnboardingCommands } from './onboarding/commands.ts';
import { registerOrdersCommands } from './orders/commands.ts';
import { registerSeedCommand } from './orders/seed-command.ts';

/**
 * Commands a bounded context brings to the CLI, beside the operator commands that serve every context
 * (inject, tail, trace, dlq, replay, status, catalog). Adding a context's commands adds a line here.
 */
export const CONTEXT_COMMANDS: readonly ((program: Command) => void)[] = [
  (program) => {
    registerOrdersCommands(program);
    registerSeedCommand(program);
  },
  registerOnboardingCommands,
];
