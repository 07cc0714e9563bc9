import { Logger } from '@aws-lambda-powertools/logger';

/** Extra keys of one structured log line. */
export type LogFields = Record<string, unknown>;

/**
 * What the pipeline needs from a logger. Powertools' `Logger` satisfies it as is; tests pass a
 * recording fake. Every line is one JSON object, so keys such as `correlationId` are searchable.
 */
export interface LogPort {
  debug(message: string, ...fields: LogFields[]): void;
  info(message: string, ...fields: LogFields[]): void;
  warn(message: string, ...fields: LogFields[]): void;
  error(message: string, ...fields: LogFields[]): void;
}

/**
 * A logger that adds `keys` to every line, so a handler's logs carry the record's correlation id
 * without appending keys to (and later removing them from) the shared module-scope logger.
 */
export function withKeys(logger: LogPort, keys: LogFields): LogPort {
  const merge = (fields: LogFields[]): LogFields => Object.assign({}, keys, ...fields);
  return {
    debug: (message, ...fields) => logger.debug(message, merge(fields)),
    info: (message, ...fields) => logger.info(message, merge(fields)),
    warn: (message, ...fields) => logger.warn(message, merge(fields)),
    error: (message, ...fields) => logger.error(message, merge(fields)),
  };
}

/**
 * A logger that writes `info` lines at DEBUG and every other line as is: for per-record detail
 * (what went well with one record), which production logs leave out. The consumer runtime gives it
 * to handlers and writes one INFO line per batch itself.
 */
export function infoAsDebug(logger: LogPort): LogPort {
  return {
    debug: (message, ...fields) => logger.debug(message, ...fields),
    info: (message, ...fields) => logger.debug(message, ...fields),
    warn: (message, ...fields) => logger.warn(message, ...fields),
    error: (message, ...fields) => logger.error(message, ...fields),
  };
}

/**
 * The production logger: Powertools JSON logs. Level from Lambda's log-level filter where the stage
 * sets one (`AWS_LAMBDA_LOG_LEVEL`, it takes precedence), else `POWERTOOLS_LOG_LEVEL` (the stage sets
 * it: DEBUG in dev, INFO in prod; INFO when absent).
 */
export function createLogger(serviceName: string): LogPort {
  return new Logger({ serviceName });
}

/** A logger that drops everything; the default where logs would only be noise (tests, tools). */
export const silentLogger: LogPort = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Error details worth a log line: name, code and message, plus the cause's message when present. */
export function errorFields(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return {
    error: error.message,
    errorName: error.name,
    ...(typeof code === 'string' ? { errorCode: code } : {}),
    ...(cause === undefined ? {} : { errorCause: cause }),
  };
}
