/** A small process-manager engine: pure decide/evolve and a runner on the event store. Sagas belong to their context. */

export {
  defineSaga,
  type SagaDefinition,
  type SagaStep,
  type StepInput,
  type StepResult,
  sagaEventTypes,
  stepsOf,
} from './definition.ts';
export { decideSaga, type SagaDecision } from './engine.ts';
export { handleSagaEvent, loadSaga, type SagaRunnerDeps, sagaHandlers, sagaStreamId } from './runner.ts';
export {
  atExpression,
  SchedulerSagaTimers,
  type SchedulerSagaTimersOptions,
  type SchedulerSender,
  scheduleName,
} from './scheduler-timers.ts';
export {
  type ActiveStep,
  evolveSagaState,
  initialSagaState,
  isSagaTransition,
  type SagaState,
  type SagaStatus,
  type SagaTransition,
} from './state.ts';
export {
  asEventBridgeEvent,
  InMemorySagaTimers,
  MAX_SQS_DELAY_SECONDS,
  RoutedSagaTimers,
  type RoutedSagaTimersOptions,
  type SagaTimer,
  type SagaTimerPort,
  type SagaTimerRef,
  SqsDelaySagaTimers,
  type SqsDelaySagaTimersOptions,
  timeoutEvent,
} from './timers.ts';
