import { createHash } from 'node:crypto';
import { ProblemError } from './problem.ts';

/** Limits of a front door's requests. */
export interface RequestLimits {
  /** Largest body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Longest `Idempotency-Key` accepted, in characters. */
  readonly maxIdempotencyKeyLength: number;
  /** Longest `Prefer: wait=N` accepted, in seconds. */
  readonly maxWaitSeconds: number;
}

/** The request as the front door reads it: header names lower-cased, body as text. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | undefined;
  /**
   * Who the gateway authorized (the SigV4 caller's ARN, the JWT's issuer and subject): idempotency
   * keys are the caller's own, so two callers choosing the same key never see each other's answer.
   * @default '' (no identity given)
   */
  readonly caller?: string;
}

/**
 * The JSON body of a request that must be `application/json` (415 otherwise), at most
 * `maxBodyBytes` (413) and parseable (400).
 */
export function jsonBody(request: HttpRequest, limits: Pick<RequestLimits, 'maxBodyBytes'>): unknown {
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new ProblemError(
      'unsupported-media-type',
      `Content-Type is ${mediaType ? `"${mediaType}"` : 'missing'}; send application/json`,
    );
  }
  const text = request.body ?? '';
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBodyBytes) {
    throw new ProblemError('body-too-large', `the body has ${bytes} bytes; at most ${limits.maxBodyBytes}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProblemError('malformed-json', `the body is not valid JSON: ${reason}`);
  }
}

/** Printable ASCII, as idempotency keys are commonly (UUIDs, ULIDs, opaque tokens). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]+$/;

/** The `Idempotency-Key` header: required, printable ASCII, at most `maxIdempotencyKeyLength`. */
export function idempotencyKey(
  request: HttpRequest,
  limits: Pick<RequestLimits, 'maxIdempotencyKeyLength'>,
): string {
  const key = request.headers['idempotency-key']?.trim();
  if (key === undefined || key.length === 0) {
    throw new ProblemError('idempotency-key', 'the Idempotency-Key header is required (e.g. a UUID)', {
      path: 'headers.idempotency-key',
    });
  }
  if (key.length > limits.maxIdempotencyKeyLength || !IDEMPOTENCY_KEY.test(key)) {
    throw new ProblemError(
      'idempotency-key',
      `the Idempotency-Key must be 1 to ${limits.maxIdempotencyKeyLength} printable ASCII characters`,
      { path: 'headers.idempotency-key' },
    );
  }
  return key;
}

/**
 * Seconds the client asks to wait for the outcome (`Prefer: wait=N`, RFC 7240), 0 when it does not
 * ask; a wait that is not a whole number of seconds from 0 to `maxWaitSeconds` is refused (400),
 * other preferences are ignored as RFC 7240 says.
 */
export function preferredWait(request: HttpRequest, limits: Pick<RequestLimits, 'maxWaitSeconds'>): number {
  const prefer = request.headers.prefer;
  if (prefer === undefined) return 0;
  for (const preference of prefer.split(/[,;]/)) {
    const [name, value] = preference.split('=').map((part) => part.trim());
    if (name?.toLowerCase() !== 'wait') continue;
    const seconds = Number(value);
    if (value === undefined || !/^\d+$/.test(value) || seconds > limits.maxWaitSeconds) {
      throw new ProblemError(
        'invalid-prefer',
        `Prefer: wait must be a whole number of seconds from 0 to ${limits.maxWaitSeconds}, got "${value ?? ''}"`,
        { path: 'headers.prefer' },
      );
    }
    return seconds;
  }
  return 0;
}

/**
 * A stable UUID-shaped id derived from a caller's idempotency key within a scope: the same key always
 * names the same input, so a retried request is the same event and the store recognises it.
 */
export function idFromKey(scope: string, key: string): string {
  const hex = createHash('sha256').update(`${scope}\n${key}`).digest('hex');
  // Version 8 (custom) UUID layout: the version nibble and the RFC 9562 variant bits set.
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The paths of keys in `sent` that `parsed` lacks: fields a schema stripped because it does not know
 * them. Catalog schemas strip unknown fields (producers may add some); a front door refuses them.
 */
export function unknownFields(sent: unknown, parsed: unknown, path = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    return sent.flatMap((item, index) => unknownFields(item, parsed[index], join(path, String(index))));
  }
  if (!isRecord(sent) || !isRecord(parsed)) return [];
  return Object.keys(sent).flatMap((key) =>
    key in parsed ? unknownFields(sent[key], parsed[key], join(path, key)) : [join(path, key)],
  );
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
