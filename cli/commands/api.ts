import type { Command } from 'commander';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { apiBaseUrl } from '../ops/api-url.ts';
import { requiredOutput, stackContext } from '../ops/stack-context.ts';
import { globals } from './common.ts';

/** `pipeline api …`: the orders HTTP API of the deployed stack. */
export function registerApiCommands(program: Command): void {
  const api = program
    .command('api')
    .description('The orders HTTP API (POST /orders, GET /orders/{id}) of the deployed stack');
  api
    .command('url')
    .description('Print the URL to call the orders API at (IAM/SigV4-signed requests, service execute-api)')
    .addHelpText(
      'after',
      [
        '',
        'On AWS this is the stack output OrdersApiUrl. On the local cloud it is the path-addressed form',
        'through the emulator endpoint (<endpoint>/_aws/execute-api/<api id>/), since *.execute-api.localhost',
        'does not resolve. Routes: POST <url>orders (Idempotency-Key header, optional Prefer: wait=N, N ≤ 10),',
        'GET <url>orders/<id>. `pipeline inject` still puts events on the bus.',
        '',
        'Examples:',
        '  pipeline api url',
        '  pipeline api url --json        # {"url": "...", "output": "...", "stack": "..."}',
      ].join('\n'),
    )
    .action(async (_options: unknown, command: Command) => {
      const { reporter, stackName } = globals(command);
      const context = await stackContext(stackName);
      const output = requiredOutput(context, OUTPUTS.apiUrl);
      const url = apiBaseUrl(output, context.target);
      reporter.result({ url, output, stack: stackName }, () => url);
    });
}
