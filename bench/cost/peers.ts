/**
 * Modelled peers of the measured design: what the same happy-path order would cost on designs we do
 * not run, priced from the same bench/prices.json. Nothing here is measured; every figure is a
 * product of assumptions ({@link PeerAssumptions}) and list prices, and each line carries its
 * arithmetic so a reader can redo it.
 *
 * The order: place → reserve inventory → authorize payment → confirm. Every design pays the same
 * business work (the {@link floorItems}: the OrderPlaced put on the bus, the OrderConfirmed published,
 * three Lambda tasks with their logs and sampled traces, the DynamoDB writes of the state those tasks
 * change); the designs differ in what coordinates the steps.
 */
import { PRICES, type PriceKey, type Prices, XRAY_SAMPLED_SHARE } from './model.ts';

export interface PeerAssumptions {
  /** Lambda tasks every design runs, one invocation each per order. */
  readonly tasks: readonly string[];
  readonly taskMs: number;
  readonly taskMemoryMb: number;
  /** CloudWatch Logs ingested per task invocation (START/END/REPORT lines + a few JSON log lines). */
  readonly logBytesPerInvocation: number;
  /** On-demand write units per order for the state the tasks change (≤ 1 KB items, no transactions). */
  readonly writeUnits: number;
  /** Events every design puts on the bus: the order coming in and the outcome going out. */
  readonly boundaryEvents: readonly string[];
  /** Step Functions Standard: the transitions of one happy-path execution. */
  readonly standardTransitions: readonly string[];
  /** Step Functions Express: execution duration (billed rounded up to 100 ms) and memory (64 MB chunks). */
  readonly expressMs: number;
  readonly expressMemoryMb: number;
  /** Choreography: events between the steps, each one more entry on the bus (rule → Lambda async, no queue). */
  readonly choreographyEvents: readonly string[];
  /**
   * Choreography with a queue in front of each task (rule → SQS → ESM → Lambda, as this stack does):
   * SQS requests per delivered message, one message per receive (SendMessage + ReceiveMessage + DeleteMessage).
   */
  readonly sqsRequestsPerDelivery: number;
}

export const PEER_ASSUMPTIONS: PeerAssumptions = {
  tasks: ['reserveInventory', 'authorizePayment', 'confirmOrder'],
  taskMs: 100,
  taskMemoryMb: 256,
  logBytesPerInvocation: 1000,
  writeUnits: 4,
  boundaryEvents: ['OrderPlaced (in)', 'OrderConfirmed (out)'],
  standardTransitions: [
    'start → ReserveInventory',
    'AuthorizePayment',
    'PaymentAuthorized? (Choice)',
    'ConfirmOrder',
    'PublishOrderConfirmed (EventBridge integration)',
    'Succeed (end)',
  ],
  expressMs: 1000,
  expressMemoryMb: 64,
  choreographyEvents: ['InventoryReserved', 'PaymentAuthorized'],
  sqsRequestsPerDelivery: 3,
};

/** One priced line of a peer: per order quantity × price, with the arithmetic spelled out. */
export interface PeerItem {
  readonly what: string;
  /** Quantity per order × price, e.g. `6 transitions × $25.00/M`. */
  readonly product: string;
  /** How the quantity was reached and the product, e.g. `3 × 100 ms × 0.25 GB = 0.075 GB-s × … = $1.00/M orders`. */
  readonly arithmetic: string;
  readonly usdPerMillion: number;
}

export interface Peer {
  readonly design: string;
  /** Always `modelled`: the bench never runs these designs. */
  readonly basis: 'modelled';
  readonly items: readonly PeerItem[];
  readonly usdPerMillion: number;
}

const money = (usd: number) => `$${usd < 0.01 && usd > 0 ? usd.toPrecision(2) : usd.toFixed(2)}`;
/** A quantity without float noise: 0.07500000000000001 → 0.075. */
const num = (n: number) => String(Number(n.toPrecision(6)));

/**
 * `quantity` per order at price `key`, as USD per million orders with its arithmetic. `unit` names
 * what the quantity counts; `derivation` says how it was reached when that is not obvious.
 */
export function item(
  prices: Prices,
  what: string,
  quantity: number,
  key: PriceKey,
  unit: string,
  derivation?: string,
): PeerItem {
  const { usd, per } = prices[key];
  const usdPerMillion = (quantity * usd * 1e6) / per;
  const rate = per === 1 ? `$${usd}/${unit}` : `$${num((usd / per) * 1e6)}/M`;
  const product = `${num(quantity)} ${unit} × ${rate}`;
  const arithmetic = `${derivation ? `${derivation} = ` : ''}${product} = ${money(usdPerMillion)}/M orders`;
  return { what, product, arithmetic, usdPerMillion };
}

const gb = (mb: number) => mb / 1024;

/** The work every design pays: boundary events, the Lambda tasks (requests, GB-s, logs, traces), writes. */
export function floorItems(a: PeerAssumptions = PEER_ASSUMPTIONS, prices: Prices = PRICES): PeerItem[] {
  const n = a.tasks.length;
  const gbs = n * (a.taskMs / 1000) * gb(a.taskMemoryMb);
  return [
    item(
      prices,
      `EventBridge: ${a.boundaryEvents.join(', ')}`,
      a.boundaryEvents.length,
      'eventbridge.customEvent',
      'events',
    ),
    item(prices, `Lambda requests: ${a.tasks.join(', ')}`, n, 'lambda.request', 'invocations'),
    item(
      prices,
      `Lambda duration (arm64, ${a.taskMs} ms at ${a.taskMemoryMb} MB per task)`,
      gbs,
      'lambda.gbSecondArm64',
      'GB-s',
      `${n} × ${a.taskMs / 1000} s × ${num(gb(a.taskMemoryMb))} GB`,
    ),
    item(
      prices,
      `CloudWatch Logs ingested (${a.logBytesPerInvocation} B per invocation)`,
      (n * a.logBytesPerInvocation) / 1e9,
      'logs.ingestionGb',
      'GB',
      `${n} × ${a.logBytesPerInvocation} B`,
    ),
    item(
      prices,
      `X-Ray traces (${XRAY_SAMPLED_SHARE * 100} % of invocations sampled)`,
      n * XRAY_SAMPLED_SHARE,
      'xray.traceRecorded',
      'traces',
      `${n} × ${XRAY_SAMPLED_SHARE}`,
    ),
    item(
      prices,
      'DynamoDB writes (≤ 1 KB items, no transactions)',
      a.writeUnits,
      'dynamodb.writeRequestUnit',
      'WRU',
    ),
  ];
}

/** Step Functions Express duration in GB-s: time rounded up to 100 ms, memory up to 64 MB chunks. */
export function expressGbSeconds(ms: number, memoryMb: number): number {
  const seconds = Math.ceil(ms / 100) / 10;
  const memory = (Math.ceil(memoryMb / 64) * 64) / 1024;
  return seconds * memory;
}

const peer = (design: string, items: PeerItem[]): Peer => ({
  design,
  basis: 'modelled',
  items,
  usdPerMillion: items.reduce((s, i) => s + i.usdPerMillion, 0),
});

/**
 * The floor, Step Functions Standard and Express, EventBridge → Lambda choreography, and the same
 * choreography with a queue per task.
 */
export function modelPeers(a: PeerAssumptions = PEER_ASSUMPTIONS, prices: Prices = PRICES): Peer[] {
  const floor = floorItems(a, prices);
  const transitions = a.standardTransitions.length;
  const expressGbs = expressGbSeconds(a.expressMs, a.expressMemoryMb);
  const between = a.choreographyEvents.length;
  const choreography = item(
    prices,
    `EventBridge between steps: ${a.choreographyEvents.join(', ')}`,
    between,
    'eventbridge.customEvent',
    'events',
  );
  const deliveries = a.tasks.length;
  const sqsRequests = deliveries * a.sqsRequestsPerDelivery;
  return [
    peer('floor: the business work alone, nothing coordinating it', floor),
    peer('Step Functions Standard', [
      item(
        prices,
        `state transitions: ${a.standardTransitions.join(' → ')}`,
        transitions,
        'stepfunctions.standardTransition',
        'transitions',
      ),
      ...floor,
    ]),
    peer('Step Functions Express', [
      item(prices, 'Express requests (1 execution per order)', 1, 'stepfunctions.expressRequest', 'requests'),
      item(
        prices,
        `Express duration (${a.expressMs} ms assumed, ${a.expressMemoryMb} MB)`,
        expressGbs,
        'stepfunctions.expressGbSecond',
        'GB-s',
        `${Math.ceil(a.expressMs / 100) / 10} s × ${num((Math.ceil(a.expressMemoryMb / 64) * 64) / 1024)} GB`,
      ),
      ...floor,
    ]),
    peer('EventBridge → Lambda choreography', [choreography, ...floor]),
    peer('EventBridge → SQS → Lambda choreography (a queue per task, unbatched)', [
      choreography,
      item(
        prices,
        'SQS: rule SendMessage + ESM ReceiveMessage + DeleteMessage per task',
        sqsRequests,
        'sqs.standardRequest',
        'requests',
        `${deliveries} deliveries × ${a.sqsRequestsPerDelivery}`,
      ),
      ...floor,
    ]),
  ];
}

/** "2 events × $1.00/M = $2.00/M orders + …": a peer's whole sum in one line. */
export function peerArithmetic(p: Peer): string {
  return `${p.items.map((i) => i.product).join(' + ')} = ${money(p.usdPerMillion)}/M orders`;
}
