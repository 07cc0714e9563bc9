import { SimulatedPaymentProvider } from '../../shared/contexts/orders/domain/payment-provider.ts';
import type { EventType, Orders } from '../../shared/contexts/orders/events/catalog.ts';
import { orderSaga } from '../../shared/contexts/orders/sagas/order-saga.ts';
import { ORDER_INTAKE_TYPES } from '../../shared/contexts/orders/use-cases/intake.ts';
import { inventoryHandlers } from '../../shared/contexts/orders/use-cases/inventory.ts';
import { notificationHandlers } from '../../shared/contexts/orders/use-cases/notifications.ts';
import { orderSummaryHandlers } from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { paymentHandlers } from '../../shared/contexts/orders/use-cases/payment.ts';
import type { EventHandlers } from '../../shared/kit/consumer/types.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import { InMemoryIdempotencyStore } from '../../shared/kit/idempotency/in-memory.ts';
import { sagaHandlers } from '../../shared/kit/saga/runner.ts';
import { InMemorySagaTimers } from '../../shared/kit/saga/timers.ts';
import { InMemoryNotificationSender, InMemoryOrderSummaryRepository } from '../fakes/orders.ts';

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
