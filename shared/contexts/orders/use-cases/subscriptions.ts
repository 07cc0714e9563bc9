import type { EventHandlers } from '../../../kit/consumer/types.ts';
import { InMemoryEventStore } from '../../../kit/event-store/in-memory.ts';
import { InMemoryIdempotencyStore } from '../../../kit/idempotency/in-memory.ts';
import { sagaHandlers } from '../../../kit/saga/runner.ts';
import { InMemorySagaTimers } from '../../../kit/saga/timers.ts';
import { SimulatedPaymentProvider } from '../domain/payment-provider.ts';
import type { EventType, Orders } from '../events/catalog.ts';
import { orderSaga } from '../sagas/order-saga.ts';
import { ORDER_INTAKE_TYPES } from './intake.ts';
import { inventoryHandlers } from './inventory.ts';
import { InMemoryNotificationSender, notificationHandlers } from './notifications.ts';
import { InMemoryOrderSummaryRepository, orderSummaryHandlers } from './order-summary.ts';
import { paymentHandlers } from './payment.ts';

/** The event types a handler map handles: exactly what its queue must be subscribed to. */
function handled(handlers: EventHandlers<Orders>): EventType[] {
  return Object.keys(handlers) as EventType[];
}

// Handler maps are built from in-memory stand-ins only to read their keys; nothing runs here.
const store = new InMemoryEventStore();

const sagaTypes = handled(
  sagaHandlers(orderSaga({ stepTimeoutMs: 1 }), { store, timers: new InMemorySagaTimers() }),
).filter((type) => type !== 'SagaStepTimedOut');
const intake: readonly EventType[] = ORDER_INTAKE_TYPES;

/**
 * What each consumer of the order pipeline receives once stored (its rule requires the outbox's
 * stored mark), read from the handler maps the functions run,
 * so a rule pattern or a filter policy can never drift from the handlers behind it.
 * The saga's timers (`SagaStepTimedOut`) come from its own delayed messages and never from the bus.
 */
export const CONSUMER_EVENT_TYPES = {
  saga: sagaTypes.filter((type) => !intake.includes(type)),
  inventory: handled(inventoryHandlers({ store })),
  payment: handled(paymentHandlers({ store, provider: new SimulatedPaymentProvider(), callTimeoutMs: 1 })),
  projector: handled(orderSummaryHandlers(new InMemoryOrderSummaryRepository())),
  notificationChannel: handled(
    notificationHandlers({
      store,
      sender: new InMemoryNotificationSender(),
      idempotency: new InMemoryIdempotencyStore(),
    }),
  ),
} as const satisfies Record<string, readonly EventType[]>;
