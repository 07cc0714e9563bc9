import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors/pipeline-error.ts';

/**
 * JSON of at least this many bytes is stored gzipped (`<name>Gzip`, binary) instead of as text
 * (`<name>`). DynamoDB bills a write per started KB of the whole item: a saga commit of three envelopes
 * (~2.2 KB of JSON, 3 write units) gzips to well under 1 KB, and the stream record the outbox reads
 * shrinks alike. Below this size the text is kept, readable in the console, as it costs no more.
 */
export const COMPRESS_JSON_FROM_BYTES = 640;

/** A binary value as the SDK returns it (bytes) or as a DynamoDB stream record holds it (base64 text). */
type Binary = Uint8Array | string;

/** `{ name: S }` below {@link COMPRESS_JSON_FROM_BYTES}, `{ nameGzip: B }` from there on. */
export function jsonAttribute(name: string, json: string): Record<string, AttributeValue> {
  return Buffer.byteLength(json) < COMPRESS_JSON_FROM_BYTES
    ? { [name]: { S: json } }
    : { [`${name}Gzip`]: { B: gzipSync(json) } };
}

/**
 * The JSON text {@link jsonAttribute} stored under `name`, gzipped or not; undefined when the item has
 * neither attribute. Bytes that are not gzip are a {@link ValidationError} naming the attribute.
 */
export function jsonAttributeText(
  image: Readonly<Record<string, { readonly S?: string; readonly B?: Binary } | undefined>>,
  name: string,
): string | undefined {
  const packed = image[`${name}Gzip`]?.B;
  if (packed === undefined) return image[name]?.S;
  try {
    return gunzipSync(typeof packed === 'string' ? Buffer.from(packed, 'base64') : packed).toString('utf8');
  } catch (error) {
    throw new ValidationError(`not gzip: ${(error as Error).message}`, `${name}Gzip`);
  }
}
