import type { LogFields, LogPort } from '../../shared/kit/observability/logger.ts';

/** One captured log line. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields;
}

/** A logger that keeps every line, for assertions on structured fields. */
export class RecordingLogger implements LogPort {
  readonly lines: LogLine[] = [];

  debug(message: string, ...fields: LogFields[]): void {
    this.lines.push({ level: 'debug', message, fields: Object.assign({}, ...fields) });
  }

  info(message: string, ...fields: LogFields[]): void {
    this.lines.push({ level: 'info', message, fields: Object.assign({}, ...fields) });
  }

  warn(message: string, ...fields: LogFields[]): void {
    this.lines.push({ level: 'warn', message, fields: Object.assign({}, ...fields) });
  }

  error(message: string, ...fields: LogFields[]): void {
    this.lines.push({ level: 'error', message, fields: Object.assign({}, ...fields) });
  }
}
