import { PipelineError } from '../errors/pipeline-error.ts';

/**
 * A catalog event reached a consumer that has no handler for it: a routing mistake (rule pattern or
 * SNS filter out of step with the handler map). Not retryable: it would arrive at the same handler map.
 */
export class UnhandledEventTypeError extends PipelineError<'UNHANDLED_EVENT_TYPE'> {
  readonly path = 'detail.type';

  constructor(consumer: string, type: string, handled: readonly string[]) {
    super(
      'UNHANDLED_EVENT_TYPE',
      `consumer ${consumer} has no handler for ${type}; it handles ${handled.join(', ')}`,
      { retryable: false },
    );
  }
}
