import * as z from 'zod';
import { Catalog, type EnvelopeOf } from '../events/catalog.ts';
import { defineEvent, type EventDefinition } from '../events/define.ts';

/** Type name of the saga engine's timer event; every catalog with a saga includes {@link sagaTimerEvent}. */
export const SAGA_TIMER_TYPE = 'SagaStepTimedOut';

const timerSchema = z.object({
  saga: z.string().min(1).describe('Name of the saga definition, e.g. order'),
  sagaId: z.string().min(1).describe('Instance id, e.g. the order id'),
  step: z.string().min(1),
  deadline: z.iso.datetime({ offset: true }),
});

/** Data of a saga timer. */
export type SagaTimerData = z.output<typeof timerSchema>;

/**
 * The timer event of the saga engine, owned by the context whose saga it serves (`source`, e.g.
 * `orders.saga`). The engine reads it by type name; its catalog must hold this definition.
 */
export function sagaTimerEvent<const S extends string>(
  source: S,
): EventDefinition<typeof SAGA_TIMER_TYPE, typeof timerSchema> {
  return defineEvent({
    type: SAGA_TIMER_TYPE,
    source,
    description:
      'Timer: a saga step had not finished by its deadline. Sent to the saga queue by the timer ' +
      '(SQS delay or EventBridge Scheduler), not by the outbox; stale timers are ignored.',
    version: 1,
    schema: timerSchema,
    example: {
      saga: 'order',
      sagaId: 'ord-1004',
      step: 'authorizePayment',
      deadline: '2026-11-22T10:00:30Z',
    },
  });
}

type TimerDefinitions = { readonly SagaStepTimedOut: ReturnType<typeof sagaTimerEvent> };

/** The envelope of a saga timer. */
export type SagaTimerEnvelope = EnvelopeOf<TimerDefinitions, typeof SAGA_TIMER_TYPE>;

const timerCatalogs = new Map<string, Catalog<TimerDefinitions>>();

/** A catalog of the timer alone, as owned by `source`: what the timer adapters build envelopes with. */
export function sagaTimerCatalog(source: string): Catalog<TimerDefinitions> {
  let catalog = timerCatalogs.get(source);
  if (catalog === undefined) {
    catalog = new Catalog('saga-timer', { SagaStepTimedOut: sagaTimerEvent(source) });
    timerCatalogs.set(source, catalog);
  }
  return catalog;
}
