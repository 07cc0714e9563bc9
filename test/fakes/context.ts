import type { AnyEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { type Orders, ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { createHandlerContext } from '../../shared/kit/consumer/context.ts';
import type { HandlerContext } from '../../shared/kit/consumer/types.ts';
import type { ManualClock } from './clock.ts';
import { RecordingLogger } from './logger.ts';

/** The context a consumer would give a handler for `event`, on the given clock. */
export function contextFor(event: AnyEvent, clock: ManualClock, consumer = 'test'): HandlerContext<Orders> {
  return createHandlerContext({
    catalog: ordersCatalog,
    consumer,
    record: { messageId: `msg-${event.id}`, attributes: { ApproximateReceiveCount: '1' } as never },
    event,
    logger: new RecordingLogger(),
    factory: clock,
  });
}
