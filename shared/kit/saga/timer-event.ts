import { Catalog, type EnvelopeOf } from '../events/catalog.ts';
import { defineEvent } from '../events/define.ts';
import * as z from '../zod.ts';

/** Type name of the saga engine's timer event. */
export const SAGA_TIMER_TYPE = 'SagaStepTimedOut';

const timerSchema = z.object({
  saga: z.string().check(z.minLength(1), z.describe('Name of the saga definition, e.g. order')),
  sagaId: z.string().check(z.minLength(1), z.describe('Instance id, e.g. the order id')),
  step: z.string().check(z.minLength(1)),
  deadline: z.iso.datetime({ offset: true }),
});

/** Data of a saga timer. */
export type SagaTimerData = z.output<typeof timerSchema>;

/**
 * The timer event of the saga engine: one definition for every context, so catalogs that each hold it
 * still merge (a type two catalogs share must be the same definition). A context with a saga lists it
 * among its catalog's `foreign` definitions; each timer envelope carries its saga's own source
 * (`<context>.saga`), set by the timer adapters, not this definition's default.
 */
export const SagaStepTimedOut = defineEvent({
  type: SAGA_TIMER_TYPE,
  source: 'pipeline.saga',
  description:
    'Timer: a saga step had not finished by its deadline. Sent to the saga queue by the timer ' +
    '(SQS delay or EventBridge Scheduler), not by the outbox; stale timers are ignored.',
  version: 1,
  schema: timerSchema,
  example: { saga: 'order', sagaId: 'ord-1004', step: 'authorizePayment', deadline: '2026-11-22T10:00:30Z' },
});

type TimerDefinitions = { readonly SagaStepTimedOut: typeof SagaStepTimedOut };

/** The envelope of a saga timer. */
export type SagaTimerEnvelope = EnvelopeOf<TimerDefinitions, typeof SAGA_TIMER_TYPE>;

/** A catalog of the timer alone: what the timer adapters build envelopes with. */
export const sagaTimerCatalog = new Catalog<TimerDefinitions>('saga-timer', { SagaStepTimedOut });
