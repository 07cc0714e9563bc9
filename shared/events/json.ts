import { ValidationError } from '../errors/pipeline-error.ts';

/** `JSON.parse`, where text that is not JSON is a {@link ValidationError} at `path` ("not valid JSON: …"). */
export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    throw new ValidationError(`not valid JSON${detail}`, path, cause);
  }
}

/** A plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
