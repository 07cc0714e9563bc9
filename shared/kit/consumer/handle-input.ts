import { DuplicateError } from '../event-store/errors.ts';
import { storedPositionOf } from '../events/stored.ts';
import type { InputClaims } from '../idempotency/input-claims.ts';
import { EventIdReusedError } from './errors.ts';
import type { AnyEventHandler, Handled, HandlerContext } from './types.ts';

/** What {@link handleInput} needs: the handler, and whether the input's id is claimed first. */
export interface HandleInputOptions {
  readonly handler: AnyEventHandler;
  readonly context: HandlerContext;
  /** Claims first-hand inputs' ids for their content. @default none */
  readonly inputClaims?: InputClaims | undefined;
  /** The types whose unstored (first-hand) inputs are claimed. */
  readonly claimedTypes: readonly string[];
  readonly now: Date;
}

/**
 * Runs one input through its handler the way every intake does, whatever carried it (an SQS record,
 * an HTTP request): a first-hand input of a claimed type has its id claimed for its content (the same
 * id with other content is refused even when it names another stream), then the handler runs; the
 * store refusing the input's own idempotency key means a duplicate (same content) or a reused id
 * (other content, {@link EventIdReusedError}).
 */
export async function handleInput(options: HandleInputOptions): Promise<Handled> {
  const { context } = options;
  const event = context.input;
  if (
    options.inputClaims !== undefined &&
    options.claimedTypes.includes(event.type) &&
    storedPositionOf(event) === undefined
  ) {
    const claimed = await options.inputClaims.claim(
      context.idempotencyKey,
      context.inputFingerprint,
      options.now,
    );
    if (claimed !== context.inputFingerprint) {
      throw new EventIdReusedError(context.consumer, context.inputId, claimed, context.inputFingerprint);
    }
  }
  try {
    return (await options.handler(event, context)) ?? 'handled';
  } catch (error) {
    if (!isOwnKey(error, context.idempotencyKey)) throw error;
    const stored = error.storedFingerprint;
    if (stored === undefined || stored === context.inputFingerprint || !isContentHash(stored)) {
      return 'duplicate';
    }
    throw new EventIdReusedError(context.consumer, event.id, stored, context.inputFingerprint);
  }
}

/**
 * The store refused the append because the input's idempotency key (`<consumer>#<event id>`) was
 * used before with another fingerprint. Appends pass the input's content hash as fingerprint, so this
 * means the id came back with other content: {@link EventIdReusedError}. A record written before
 * fingerprints were content hashes (no `sha256:` prefix) cannot tell, and is taken as a duplicate, as
 * it always was; so is a race between two deliveries of one input that decided differently, which
 * the store answers with the first result rather than an error.
 */
function isOwnKey(error: unknown, idempotencyKey: string): error is DuplicateError {
  return error instanceof DuplicateError && error.idempotencyKey === idempotencyKey;
}

function isContentHash(fingerprint: string): boolean {
  return fingerprint.startsWith('sha256:');
}
