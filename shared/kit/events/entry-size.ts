import { ValidationError } from '../errors/pipeline-error.ts';
import { MAX_EVENT_BYTES } from './envelope.ts';

/** The fields of a PutEvents entry that EventBridge counts towards its size limit. */
export interface SizedEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail?: string;
  readonly Resources?: readonly string[];
  readonly Time?: Date;
}

/**
 * Size of a PutEvents entry by EventBridge's rule: UTF-8 bytes of Source, DetailType, Detail and each
 * resource, plus 14 bytes when Time is set. The bus name and the JSON punctuation do not count.
 */
export function entrySize(entry: SizedEntry): number {
  let size = entry.Time === undefined ? 0 : 14;
  size += Buffer.byteLength(entry.Source, 'utf8') + Buffer.byteLength(entry.DetailType, 'utf8');
  if (entry.Detail !== undefined) size += Buffer.byteLength(entry.Detail, 'utf8');
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource, 'utf8');
  return size;
}

/**
 * Throws a {@link ValidationError} at `path` when the entry is over `maxBytes`.
 * The default stays at 256 KB even though EventBridge itself now takes 1 MB, because the same event
 * also crosses SNS and is stored in DynamoDB, whose limits are the tighter ones.
 */
export function assertEntryFits(entry: SizedEntry, path: string, maxBytes = MAX_EVENT_BYTES): void {
  const size = entrySize(entry);
  if (size > maxBytes) {
    throw new ValidationError(
      `event is ${size} bytes, above the limit of ${maxBytes} bytes (Source + DetailType + Detail + Resources)`,
      path,
    );
  }
}
