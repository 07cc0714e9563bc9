import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { DynamoDbOrderSummaryRepository } from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import { DynamoDbSimulatedPaymentProvider } from '../../shared/contexts/orders/adapters/dynamodb-simulated-payment-provider.ts';
import type { OrderSummary } from '../../shared/contexts/orders/domain/order-summary.ts';
import type { AnyEvent, EventDataInput, TypedEnvelope } from '../../shared/contexts/orders/events/catalog.ts';
import { createEvent, ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import {
  availableStock,
  inventoryStreams,
  restockInventory,
} from '../../shared/contexts/orders/use-cases/inventory.ts';
import { notificationStreamId } from '../../shared/contexts/orders/use-cases/notifications.ts';
import { ORDER_SUMMARY_EVENT_TYPES } from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { authorizationKey, paymentStreamId } from '../../shared/contexts/orders/use-cases/payment.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { toPutEventsEntry } from '../../shared/kit/events/eventbridge.ts';
import { storedEventUpcaster } from '../../shared/kit/events/internal.ts';
import { eventually, testClients } from '../support/aws.ts';
import { drained, stackOutput } from '../support/stack-outputs.ts';

/**
 * The deployed order pipeline as the saga e2e tests see it: orders go in as `OrderPlaced` through
 * EventBridge; outcomes come out of the event store (streams read with `DynamoDbEventStore`), the
 * order summary table, the simulated provider's ledger and the channel delivery records.
 */
export function sagaWorld() {
  const output = stackOutput;
  const { events, sqs, dynamo } = testClients();
  const tableName = output(OUTPUTS.eventStoreTable);
  const store = new DynamoDbEventStore({
    client: dynamo,
    tableName,
    upcast: storedEventUpcaster(ordersCatalog),
  });
  const summaries = new DynamoDbOrderSummaryRepository({
    client: dynamo,
    tableName: output(OUTPUTS.orderSummaryTable),
  });
  const provider = new DynamoDbSimulatedPaymentProvider({ client: dynamo, tableName });

  /** Every event of a stream, in order. */
  async function stream(streamId: string): Promise<EventEnvelope[]> {
    const found: EventEnvelope[] = [];
    for await (const stored of store.readAll(streamId)) found.push(stored.event);
    return found;
  }

  return {
    output,
    sqs,
    store,
    summaries,
    provider,
    stream,

    /** A name no other test (or earlier run) uses: SKUs and order ids stay independent. */
    unique: (label: string): string => `${label}-${randomUUID().slice(0, 8)}`,

    stock: (sku: string, qty: number) =>
      restockInventory(store, { sku, qty }, { correlationId: `e2e-stock-${sku}` }),

    available: (sku: string) => availableStock(store, sku),

    /** A valid `OrderPlaced` (what the order API publishes); `data` overrides the defaults. */
    order(data: Partial<EventDataInput<'OrderPlaced'>> & { orderId: string }): TypedEnvelope<'OrderPlaced'> {
      return createEvent(
        'OrderPlaced',
        {
          customerId: 'cus-e2e',
          items: [{ sku: 'UNSET', qty: 1, unitPrice: 10 }],
          total: 10,
          currency: 'EUR',
          paymentToken: 'tok_visa_4242',
          contact: { email: 'ada@example.com', channels: ['email'] },
          ...data,
        },
        { correlationId: `e2e-${data.orderId}` },
      );
    },

    /** PutEvents on the pipeline's bus, one call, every entry accepted. */
    async place(...envelopes: EventEnvelope<unknown>[]): Promise<void> {
      const entries = envelopes.map((envelope) => ({
        ...toPutEventsEntry(envelope, output(OUTPUTS.busName)),
      }));
      const result = await events.send(new PutEventsCommand({ Entries: entries }));
      if (result.FailedEntryCount) throw new Error(`PutEvents refused: ${JSON.stringify(result.Entries)}`);
    },

    /** Events of one order, by stream. */
    async history(orderId: string) {
      const [saga, inventory, payment, notifications] = await Promise.all([
        stream(`saga-order#${orderId}`),
        stream(inventoryStreams.order(orderId)),
        stream(paymentStreamId(orderId)),
        stream(notificationStreamId(orderId)),
      ]);
      return { saga, inventory, payment, notifications };
    },

    /** Waits until the stack's consumer queues are empty (see {@link drained}). */
    drained: (timeoutMs?: number) => drained(sqs, timeoutMs),

    /** Waits for the saga's outcome (`OrderConfirmed` / `OrderCancelled` in its stream). */
    async outcome(orderId: string, timeoutMs = 60_000): Promise<AnyEvent> {
      const found = await eventually(
        async () =>
          (await stream(`saga-order#${orderId}`)).find(
            (e) => e.type === 'OrderConfirmed' || e.type === 'OrderCancelled',
          ),
        { timeoutMs, intervalMs: 500 },
      );
      if (!found) throw new Error(`order ${orderId} reached no outcome within ${timeoutMs / 1000} s`);
      return found as AnyEvent;
    },

    /**
     * Waits until the order's summary satisfies `ready` and agrees with the store: every stored event
     * of the order that the projection reads is in its timeline. The read model is eventually
     * consistent and events reach it in any order (a summary can be CONFIRMED before its OrderPlaced
     * is folded in); the default wait covers a projector batch redelivered after its queue's
     * visibility timeout (91 s).
     */
    async summary(orderId: string, ready: (s: OrderSummary) => boolean, timeoutMs = 120_000) {
      const projected = new Set<string>(ORDER_SUMMARY_EVENT_TYPES);
      const found = await eventually(
        async () => {
          const current = await summaries.get(orderId);
          if (!current || !ready(current.summary)) return undefined;
          const inTimeline = new Set(current.summary.timeline.map((entry) => entry.eventId));
          const stored = Object.values(await this.history(orderId)).flat();
          const missing = stored.filter((e) => projected.has(e.type) && !inTimeline.has(e.id));
          return missing.length === 0 ? current.summary : undefined;
        },
        { timeoutMs, intervalMs: 500 },
      );
      if (!found)
        throw new Error(`summary of ${orderId} not ready: ${JSON.stringify(await summaries.get(orderId))}`);
      return found;
    },

    /** The simulated provider's record of the order's authorization calls. */
    ledger: (orderId: string) => provider.ledger(authorizationKey(orderId)),

    /** Whether a channel holds a delivery record (idempotency record) for the order's outcome. */
    async delivered(orderId: string, channel: string, trigger: string): Promise<boolean> {
      const { Item } = await dynamo.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: `ONCE#notify#${orderId}#${channel}#${trigger}` }, sk: { S: 'R' } },
          ConsistentRead: true,
        }),
      );
      return Item?.status?.S === 'COMPLETED';
    },

    /** DLQ messages whose body mentions `marker`, seen in one pass and left in place. */
    async peekDeadLetters(dlqUrl: string, marker: string): Promise<Message[]> {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      return Messages.filter((m) => m.Body?.includes(marker));
    },

    /** Receives (and deletes) the DLQ messages whose body mentions `marker`. */
    async deadLetters(dlqUrl: string, marker: string, timeoutMs = 30_000): Promise<Message[]> {
      const found: Message[] = [];
      await eventually(
        async () => {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: dlqUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              VisibilityTimeout: 2,
              MessageAttributeNames: ['All'],
            }),
          );
          for (const message of Messages.filter((m) => m.Body?.includes(marker))) {
            found.push(message);
            await sqs.send(
              new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }),
            );
          }
          return found.length > 0 ? found : undefined;
        },
        { timeoutMs, intervalMs: 200 },
      );
      return found;
    },
  };
}

/** Event types of a stream, in order. */
export const typesOf = (events: readonly { readonly type: string }[]): string[] => events.map((e) => e.type);

/** How often `type` occurs in a stream. */
export const count = (events: readonly { readonly type: string }[], type: string): number =>
  events.filter((e) => e.type === type).length;
