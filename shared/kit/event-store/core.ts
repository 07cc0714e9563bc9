import { createHash } from 'node:crypto';
import { ValidationError } from '../errors/pipeline-error.ts';
import { type EventEnvelope, MAX_EVENT_BYTES, parseEnvelope } from '../events/envelope.ts';
import { canonicalJson } from '../events/json.ts';
import { DuplicateError } from './errors.ts';

export { canonicalJson };

import type { ReadOptions, ReadPage, StoredEvent, StreamAppend } from './port.ts';

/**
 * Rules every adapter applies the same way, so code that passes against the in-memory store does not
 * fail on DynamoDB: request validation, the transaction budget, idempotency fingerprints, cursors.
 */

/**
 * Most streams one append may span: a multi-stream append is one DynamoDB transaction of (at least) one
 * item per stream, and TransactWriteItems takes at most 100 items.
 */
export const MAX_TRANSACTION_ITEMS = 100;
/** Most events one append may write, over all its streams: one decision, not a bulk import. */
export const MAX_APPEND_EVENTS = 100;
/** DynamoDB caps a transaction at 4 MB; kept a little under to leave room for key and index attributes. */
export const MAX_APPEND_BYTES = 4 * 1024 * 1024 - 64 * 1024;
/** Versions are zero-padded to 10 digits in sort keys. */
export const MAX_STREAM_VERSION = 9_999_999_999;
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;
/** Stream ids and idempotency keys end up in a key or an attribute (2048 bytes at most, prefix included). */
const MAX_KEY_LENGTH = 1000;

/** An append after validation: envelopes parsed, byte sizes known. */
export interface ValidAppend extends StreamAppend {
  readonly events: readonly EventEnvelope[];
}

/**
 * The input an append was made for, recorded with its events: the idempotency key and what it stands
 * for. A repeat of the key is recognised from the stream itself (see {@link recogniseInput}).
 */
export interface CommitInput {
  readonly key: string;
  readonly fingerprint: string;
}

/** A commit as idempotency sees it: the versions it holds and the input that wrote them. */
export interface CommitRange {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly input?: CommitInput;
}

/**
 * Finds the commit an idempotency key already wrote, among those a repeat can meet: the commit that
 * ends at `expectedVersion` (the caller has read it: a redelivery right after its own write) and every
 * later one (the caller had not: a race with a concurrent delivery). Same key and fingerprint → that
 * commit, whose result is returned instead of writing; same key, other fingerprint →
 * {@link DuplicateError}; no such commit → undefined (the append is judged on its version).
 *
 * A key older than the commit at `expectedVersion` is not looked for: that would mean reading the whole
 * stream on every append. Consumers recognise older inputs from the state they load (the saga keeps
 * the hashes of its inputs, inventory the reservation's status).
 */
export function recogniseInput<C extends CommitRange>(
  commits: readonly C[],
  expectedVersion: number,
  input: CommitInput,
): C | undefined {
  const found = commits.find(
    (commit) =>
      commit.input?.key === input.key &&
      (commit.toVersion === expectedVersion || commit.fromVersion > expectedVersion),
  );
  if (found?.input === undefined) return undefined;
  if (found.input.fingerprint !== input.fingerprint) {
    throw new DuplicateError(input.key, { stored: found.input.fingerprint, refused: input.fingerprint });
  }
  return found;
}

/** Checks an append request against the rules every store shares; throws {@link ValidationError}. */
export function validateAppends(appends: readonly StreamAppend[], idempotencyKey?: string): ValidAppend[] {
  if (appends.length === 0) throw new ValidationError('at least one stream is required', 'appends');
  if (
    idempotencyKey !== undefined &&
    (idempotencyKey.length === 0 || idempotencyKey.length > MAX_KEY_LENGTH)
  ) {
    throw new ValidationError(`must be 1 to ${MAX_KEY_LENGTH} characters`, 'idempotencyKey');
  }
  const seen = new Set<string>();
  let bytes = 0;
  const valid = appends.map((append, i) => {
    const path = `appends.${i}`;
    if (seen.has(append.streamId)) {
      throw new ValidationError('stream appears twice in one append', `${path}.streamId`);
    }
    seen.add(append.streamId);
    const checked = validateAppend(append, path);
    bytes += checked.bytes;
    return checked.append;
  });
  if (valid.length > MAX_TRANSACTION_ITEMS) {
    throw new ValidationError(
      `append spans ${valid.length} streams, the limit is ${MAX_TRANSACTION_ITEMS} (one transaction)`,
      'appends',
    );
  }
  const events = valid.reduce((sum, append) => sum + append.events.length, 0);
  if (events > MAX_APPEND_EVENTS) {
    throw new ValidationError(`append has ${events} events, the limit is ${MAX_APPEND_EVENTS}`, 'appends');
  }
  if (bytes > MAX_APPEND_BYTES) {
    throw new ValidationError(`append is ${bytes} bytes, the limit is ${MAX_APPEND_BYTES}`, 'appends');
  }
  return valid;
}

/** Throws {@link ValidationError} unless the id can be part of a key. */
export function validateStreamId(streamId: string, path = 'streamId'): void {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > MAX_KEY_LENGTH) {
    throw new ValidationError(`must be 1 to ${MAX_KEY_LENGTH} characters`, path);
  }
}

/** Throws {@link ValidationError} unless a snapshot can be saved at this version. */
export function validateSnapshotVersion(streamId: string, version: number): void {
  validateStreamId(streamId);
  if (!Number.isSafeInteger(version) || version < 1 || version > MAX_STREAM_VERSION) {
    throw new ValidationError(`must be an integer from 1 to ${MAX_STREAM_VERSION}`, 'version');
  }
}

/** One stream's part: id, version arithmetic, every envelope parsed and within the EventBridge size. */
function validateAppend(append: StreamAppend, path: string): { append: ValidAppend; bytes: number } {
  const { streamId, expectedVersion } = append;
  validateStreamId(streamId, `${path}.streamId`);
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw new ValidationError('must be an integer >= 0 (0 for a new stream)', `${path}.expectedVersion`);
  }
  if (append.events.length === 0)
    throw new ValidationError('at least one event is required', `${path}.events`);
  if (expectedVersion + append.events.length > MAX_STREAM_VERSION) {
    throw new ValidationError(`stream would pass version ${MAX_STREAM_VERSION}`, `${path}.events`);
  }
  let bytes = 0;
  const events = append.events.map((event, j) => {
    const parsed = parseEnvelope(event, `${path}.events.${j}`);
    const size = Buffer.byteLength(JSON.stringify(parsed));
    if (size > MAX_EVENT_BYTES) {
      throw new ValidationError(
        `event is ${size} bytes, the limit is ${MAX_EVENT_BYTES}`,
        `${path}.events.${j}`,
      );
    }
    bytes += size;
    return parsed;
  });
  return { append: { streamId, expectedVersion, events }, bytes };
}

/**
 * Identifies "the same append" for idempotency: stream ids, event types, schema versions and data.
 * Event ids, timestamps and `expectedVersion` are left out on purpose: a retried command handler
 * regenerates ids and may have reloaded the stream, and that is still the same append.
 */
export function appendFingerprint(appends: readonly StreamAppend[]): string {
  const shape = appends.map((a) => ({
    streamId: a.streamId,
    events: a.events.map((e) => ({ type: e.type, version: e.version, data: e.data })),
  }));
  return createHash('sha256').update(canonicalJson(shape)).digest('base64url');
}

/** Opaque page cursor: the next version to read, bound to its stream. */
export function encodeCursor(streamId: string, nextVersion: number): string {
  return Buffer.from(JSON.stringify({ s: streamId, v: nextVersion })).toString('base64url');
}

/** Where a read starts and how many events a page may hold; throws {@link ValidationError} on bad input. */
export function resolveRead(streamId: string, options: ReadOptions = {}): { from: number; limit: number } {
  validateStreamId(streamId);
  const limit = options.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new ValidationError(`must be an integer from 1 to ${MAX_PAGE_LIMIT}`, 'limit');
  }
  const from =
    options.cursor === undefined ? (options.fromVersion ?? 1) : decodeCursor(streamId, options.cursor);
  if (!Number.isInteger(from) || from < 1)
    throw new ValidationError('must be an integer >= 1', 'fromVersion');
  return { from, limit };
}

function decodeCursor(streamId: string, cursor: string): number {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const { s, v } = decoded as { s?: unknown; v?: unknown };
    if (s === streamId && typeof v === 'number') return v;
  } catch {
    // falls through to the error below: a malformed cursor is the caller's mistake either way
  }
  throw new ValidationError(`not a cursor of stream ${streamId}`, 'cursor');
}

/**
 * Walks a stream page by page through `read`, so every adapter's `readAll` pages (and upcasts) exactly
 * like its `read`.
 */
export async function* readEveryPage(
  read: (options: ReadOptions) => Promise<ReadPage>,
  fromVersion = 1,
): AsyncGenerator<StoredEvent> {
  let page = await read({ fromVersion, limit: MAX_PAGE_LIMIT });
  for (;;) {
    yield* page.events;
    if (page.nextCursor === undefined) return;
    page = await read({ cursor: page.nextCursor, limit: MAX_PAGE_LIMIT });
  }
}

/** Copies a value the way a store round trip would (JSON), so callers never share state with the store. */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
