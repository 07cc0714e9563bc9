import { ValidationError } from '../errors/pipeline-error.ts';
import * as z from '../zod.ts';

/** EventBridge rejects entries whose total size is above 256 KB; the envelope must fit in one entry. */
export const MAX_EVENT_BYTES = 256 * 1024;

const nonEmpty = z.string().check(z.minLength(1));

/**
 * The envelope every event travels in. `data` is validated per type by the event catalog;
 * the envelope itself only checks what routing and tracing need.
 */
export const envelopeSchema = z.strictObject({
  id: nonEmpty,
  type: z.string().check(z.regex(/^[A-Z][A-Za-z0-9]*$/, 'must be a PascalCase event type')),
  version: z.number().check(z.int(), z.positive()),
  source: nonEmpty,
  time: z.iso.datetime({ offset: true }),
  correlationId: nonEmpty,
  causationId: z.optional(nonEmpty),
  data: z.record(z.string(), z.unknown()),
  metadata: z.optional(z.record(z.string(), z.unknown())),
});

export type EventEnvelope<Data = Record<string, unknown>> = Omit<z.infer<typeof envelopeSchema>, 'data'> & {
  data: Data;
};

/** Dotted field path of the first zod issue, used in every validation message. */
export function issuePath(error: z.core.$ZodError): string {
  return error.issues[0]?.path.map(String).join('.') ?? '';
}

/** Joins dotted path segments, skipping empty ones (`joinPath('detail', '', 'type')` is `detail.type`). */
export function joinPath(...segments: readonly string[]): string {
  return segments.filter(Boolean).join('.');
}

/**
 * Turns a zod failure into a {@link ValidationError} that names the first offending field under
 * `pathPrefix`; the full issue list stays reachable through `cause`.
 */
export function toValidationError(error: z.core.$ZodError, pathPrefix = '', context = ''): ValidationError {
  const first = error.issues[0];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more issue(s))` : '';
  const message = `${context}${first?.message ?? 'invalid value'}${more}`;
  return new ValidationError(message, joinPath(pathPrefix, issuePath(error)), error);
}

/** Parses an unknown value into an envelope or throws a {@link ValidationError} naming the field. */
export function parseEnvelope(value: unknown, pathPrefix = ''): EventEnvelope {
  const result = envelopeSchema.safeParse(value);
  if (!result.success) throw toValidationError(result.error, pathPrefix);
  return result.data;
}
