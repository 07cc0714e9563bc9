/**
 * Modelled: what it costs to get one order into the pipeline through the HTTP API, next to the same
 * order put on the bus with PutEvents. Nothing here is measured; each line is a quantity per order ×
 * a price from bench/prices.json, with its arithmetic (see bench/cost/peers.ts for the style).
 *
 * Both paths end in the same write: the saga's first transition appends the order and its first
 * command to the order's stream and claims the event id (the same DynamoDB writes either way, left
 * out here). They differ in what carries the order to that write:
 * - PutEvents: one bus entry, the rule's delivery to the saga queue (a SendMessage), the mapping's
 *   receive and the delete, and one saga invocation;
 * - HTTP API: one API request and one invocation of the API function, held while it waits
 *   (`Prefer: wait=N`) and reading the saga stream every poll interval meanwhile.
 */
import { PRICES, type Prices } from './model.ts';
import { item, type Peer } from './peers.ts';

export interface IntakeAssumptions {
  /** Memory of the saga and API functions (both 256 MB, infra/constructs/pipeline-function.ts). */
  readonly memoryMb: number;
  /** Time of the first transition itself (load, decide, append, arm the timer), either function. */
  readonly transitionMs: number;
  /** SQS requests of one message delivered to the saga at low rate: send, receive, delete. */
  readonly sqsRequestsPerMessage: number;
  /** The API's poll interval while waiting, in ms (functions/api/config.ts: 250 ms). */
  readonly pollIntervalMs: number;
  /** Seconds held waiting for the outcome, per case modelled. */
  readonly waits: readonly { readonly label: string; readonly seconds: number }[];
}

export const INTAKE_ASSUMPTIONS: IntakeAssumptions = {
  memoryMb: 256,
  transitionMs: 100,
  sqsRequestsPerMessage: 3,
  pollIntervalMs: 250,
  waits: [
    { label: 'no Prefer (202 at once)', seconds: 0 },
    { label: 'Prefer: wait=10, outcome after 2 s', seconds: 2 },
    { label: 'Prefer: wait=10, wait runs out', seconds: 10 },
  ],
};

const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);

/** The PutEvents path, then one HTTP API path per wait; each `basis: 'modelled'`. */
export function modelIntakePaths(a: IntakeAssumptions = INTAKE_ASSUMPTIONS, prices: Prices = PRICES): Peer[] {
  const invocation = (who: string, ms: number) => [
    item(prices, `Lambda request (${who})`, 1, 'lambda.request', 'invocations'),
    item(
      prices,
      `Lambda duration (${who}, ${ms} ms at ${a.memoryMb} MB arm64)`,
      gbSeconds(ms, a.memoryMb),
      'lambda.gbSecondArm64',
      'GB-s',
      `${ms / 1000} s × ${a.memoryMb / 1024} GB`,
    ),
  ];
  const putEvents = [
    item(prices, 'EventBridge: the OrderPlaced entry', 1, 'eventbridge.customEvent', 'events'),
    item(
      prices,
      'SQS: rule delivery to the saga queue, receive, delete',
      a.sqsRequestsPerMessage,
      'sqs.standardRequest',
      'requests',
    ),
    ...invocation('saga consumer', a.transitionMs),
  ];
  const http = a.waits.map(({ label, seconds }) => {
    const polls = Math.ceil((seconds * 1000) / a.pollIntervalMs);
    return {
      design: `HTTP API, ${label}`,
      items: [
        item(prices, 'API Gateway HTTP API request', 1, 'apigateway.httpRequest', 'requests'),
        ...invocation('API function', a.transitionMs + seconds * 1000),
        ...(polls === 0
          ? []
          : [
              item(
                prices,
                `saga stream polls (strongly consistent Query, ≤ 4 KB, every ${a.pollIntervalMs} ms)`,
                polls,
                'dynamodb.readRequestUnit',
                'RRU',
                `${seconds} s / ${a.pollIntervalMs / 1000} s`,
              ),
            ]),
      ],
    };
  });
  return [{ design: 'PutEvents → bus → saga queue', items: putEvents }, ...http].map(({ design, items }) => ({
    design,
    basis: 'modelled' as const,
    items,
    usdPerMillion: items.reduce((sum, i) => sum + i.usdPerMillion, 0),
  }));
}
