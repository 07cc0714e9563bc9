import { z } from 'zod';
import { ValidationError } from '../errors/pipeline-error.ts';

/** EventBridge rejects entries whose total size is above 256 KB; the envelope must fit in one entry. */
export const MAX_EVENT_BYTES = 256 * 1024;

const nonEmpty = z.string().min(1);

/**
 * The envelope every event travels in. `data` is validated per type by the event catalog;
 * the envelope itself only checks what routing and tracing need.
 */
export const envelopeSchema = z
  .object({
    id: nonEmpty,
    type: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'must be a PascalCase event type'),
    version: z.number().int().positive(),
    source: nonEmpty,
    time: z.iso.datetime({ offset: true }),
    correlationId: nonEmpty,
    causationId: nonEmpty.optional(),
    data: z.record(z.string(), z.unknown()),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type EventEnvelope<Data = Record<string, unknown>> = Omit<z.infer<typeof envelopeSchema>, 'data'> & {
  data: Data;
};

/** Dotted field path of the first zod issue, used in every validation message. */
export function issuePath(error: z.ZodError): string {
  return error.issues[0]?.path.map(String).join('.') ?? '';
}

/** Parses an unknown value into an envelope or throws a {@link ValidationError} naming the field. */
export function parseEnvelope(value: unknown, pathPrefix = ''): EventEnvelope {
  const result = envelopeSchema.safeParse(value);
  if (!result.success) {
    const first = result.error.issues[0];
    const path = [pathPrefix, issuePath(result.error)].filter(Boolean).join('.');
    throw new ValidationError(first?.message ?? 'invalid envelope', path, result.error);
  }
  return result.data;
}
