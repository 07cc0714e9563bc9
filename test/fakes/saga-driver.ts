import type { DataInputOf } from '../../shared/kit/events/catalog.ts';
import type { SagaDefinition } from '../../shared/kit/saga/definition.ts';
import { decideSaga, type SagaDecision } from '../../shared/kit/saga/engine.ts';
import { evolveSagaState, initialSagaState, type SagaState } from '../../shared/kit/saga/state.ts';
import { ManualClock } from './clock.ts';
import {
  type CheckoutData,
  checkoutSaga,
  type Shop,
  type ShopEvent,
  type ShopEventType,
  shopEvent,
} from './test-context.ts';

/** Reserve → charge (5 s) → receipt; the receipt has nothing to undo, so its timeout compensates the other two. */
export const checkout = checkoutSaga({ stepTimeoutMs: 10_000 });

/** The one cart every driven saga runs for. */
export const CART = 'cart-1';

/** Drives the pure engine: decide, fold the transitions, keep the decisions. */
export class SagaDriver {
  readonly clock = new ManualClock();
  state: SagaState<CheckoutData> = initialSagaState();
  readonly decisions: SagaDecision[] = [];

  constructor(readonly definition: SagaDefinition<'CartCheckedOut', CheckoutData, Shop> = checkout) {}

  event<T extends ShopEventType>(type: T, data: DataInputOf<Shop, T>): ShopEvent {
    return shopEvent(type, data, {}, this.clock) as ShopEvent;
  }

  /** Decides for `event`; `contentHash` is the input's fingerprint, as the runner passes it. */
  feed(event: ShopEvent, contentHash?: string): SagaDecision {
    const decision = decideSaga(this.definition, this.state, event, this.clock.now(), contentHash);
    this.state = decision.transitions.reduce(evolveSagaState<CheckoutData>, this.state);
    this.decisions.push(decision);
    return decision;
  }

  send<T extends ShopEventType>(type: T, data: DataInputOf<Shop, T>): SagaDecision {
    return this.feed(this.event(type, data));
  }

  /** A timer message for `step` with `deadline`, as the saga's queue delivers it. */
  timer(step: string, deadline: string): SagaDecision {
    return this.send('SagaStepTimedOut', { saga: 'checkout', sagaId: CART, step, deadline });
  }

  fireTimer(): SagaDecision {
    const active = this.state.active;
    if (active === undefined) throw new Error('no active step');
    this.clock.set(Date.parse(active.deadline));
    return this.send('SagaStepTimedOut', {
      saga: 'checkout',
      sagaId: CART,
      step: active.step,
      deadline: active.deadline,
    });
  }

  checkedOut(total = 19.8): ShopEvent {
    return this.event('CartCheckedOut', { cartId: CART, total });
  }

  start(): SagaDecision {
    return this.feed(this.checkedOut());
  }

  reserved(): SagaDecision {
    return this.send('StockReserved', { cartId: CART, lines: [{ sku: 'SKU-RED-MUG', qty: 2 }] });
  }

  paid(paymentId = 'pay-1'): SagaDecision {
    return this.send('PaymentTaken', { cartId: CART, paymentId, amount: 19.8 });
  }

  outputs(): string[] {
    return this.decisions.flatMap((d) => d.outputs.map((o) => o.type));
  }
}
