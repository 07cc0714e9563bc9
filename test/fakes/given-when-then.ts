import type { AggregateOptions } from '../../shared/kit/event-store/load-aggregate.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';

/**
 * Given/when/then for pure deciders: the state is folded from past events with the aggregate's own
 * `evolve`, exactly as the kernel loads it, so a test states history as events, not as a hand-made
 * state object that could drift from what `evolve` produces. The last step is `thenCheck`, not `then`:
 * an object with a `then` method is taken for a promise by `await`.
 *
 *   given(account, [registered]).when((state) => decideRegistration(state, input)).thenCheck(expected)
 */
export function given<State>(aggregate: AggregateOptions<State>, history: readonly EventEnvelope[]) {
  const state = history.reduce(aggregate.evolve, aggregate.initial());
  return {
    state,
    when<Decision>(decide: (state: State) => Decision) {
      const decision = decide(state);
      return {
        decision,
        /** Returns the decision, after asserting it with the given check (an `expect`-based callback). */
        thenCheck(check: (decision: Decision) => void): Decision {
          check(decision);
          return decision;
        },
      };
    },
  };
}
