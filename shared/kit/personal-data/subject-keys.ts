import { randomBytes } from 'node:crypto';
import { KeyNotFoundError, SubjectForgottenError } from './errors.ts';

/** A subject's data key, or the tombstone `pipeline forget` left in its place. */
export type SubjectKeyState =
  | { readonly state: 'active'; readonly key: Buffer }
  | { readonly state: 'forgotten'; readonly forgottenAt: string };

/** What `forget` answers: whether this call erased the key or it was gone already. */
export interface ForgetResult {
  readonly subjectId: string;
  /** `erased`: a key was deleted now; `no-key`: none existed (a tombstone now refuses new ones); `already`: forgotten before. */
  readonly outcome: 'erased' | 'no-key' | 'already';
  readonly forgottenAt: string;
}

/** Who asked for an erasure and when; stored with the tombstone (never the personal data itself). */
export interface ForgetRequest {
  readonly requestedBy: string;
  readonly at: Date;
}

/**
 * Port of the keys table: one 256-bit key per data subject. Writers (`keyFor`) get or create it,
 * readers (`readKey`) only get it, the operator (`forget`) replaces it with a tombstone, so the key
 * is gone and no later write can create a new one for that subject.
 */
export interface SubjectKeys {
  /** The subject's key, created on first use; the tombstone when the subject is forgotten. */
  keyFor(subjectId: string): Promise<SubjectKeyState>;
  /** The subject's key; {@link SubjectForgottenError} or {@link KeyNotFoundError} when there is none. */
  readKey(subjectId: string): Promise<Buffer>;
  /** Deletes the key and leaves a tombstone; idempotent. */
  forget(subjectId: string, request: ForgetRequest): Promise<ForgetResult>;
}

/** A fresh random 256-bit data key. */
export function newSubjectKey(): Buffer {
  return randomBytes(32);
}

/** In-memory keys, for unit tests and the CLI's dry runs: the same rules as the DynamoDB adapter. */
export class InMemorySubjectKeys implements SubjectKeys {
  readonly items = new Map<string, SubjectKeyState>();

  async keyFor(subjectId: string): Promise<SubjectKeyState> {
    const held = this.items.get(subjectId);
    if (held) return held;
    const created: SubjectKeyState = { state: 'active', key: newSubjectKey() };
    this.items.set(subjectId, created);
    return created;
  }

  async readKey(subjectId: string): Promise<Buffer> {
    return keyOrThrow(subjectId, this.items.get(subjectId));
  }

  async forget(subjectId: string, request: ForgetRequest): Promise<ForgetResult> {
    const held = this.items.get(subjectId);
    if (held?.state === 'forgotten') return { subjectId, outcome: 'already', forgottenAt: held.forgottenAt };
    const forgottenAt = request.at.toISOString();
    this.items.set(subjectId, { state: 'forgotten', forgottenAt });
    return { subjectId, outcome: held ? 'erased' : 'no-key', forgottenAt };
  }
}

/** The key of a held state, or the typed error saying why there is none. */
export function keyOrThrow(subjectId: string, held: SubjectKeyState | undefined): Buffer {
  if (held === undefined) throw new KeyNotFoundError(subjectId);
  if (held.state === 'forgotten') throw new SubjectForgottenError(subjectId, held.forgottenAt);
  return held.key;
}

/** Options of {@link CachedSubjectKeys}. */
export interface SubjectKeyCacheOptions {
  /**
   * How long a key stays cached in this execution environment. After `pipeline forget`, a warm
   * function may still use a cached key for at most this long. @default 60 000 ms
   */
  readonly ttlMs?: number;
  /** Most subjects cached; the oldest entry goes first. @default 1000 */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Keys cached per execution environment (module scope of a Lambda): active keys for `ttlMs`,
 * tombstones for good (a forgotten subject never comes back). A missing key is not cached: a writer
 * may create it a moment later.
 */
export class CachedSubjectKeys implements SubjectKeys {
  private readonly entries = new Map<string, { readonly held: SubjectKeyState; readonly until: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: SubjectKeys,
    options: SubjectKeyCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
  }

  async keyFor(subjectId: string): Promise<SubjectKeyState> {
    return this.cached(subjectId) ?? this.remember(subjectId, await this.inner.keyFor(subjectId));
  }

  async readKey(subjectId: string): Promise<Buffer> {
    const cached = this.cached(subjectId);
    if (cached) return keyOrThrow(subjectId, cached);
    try {
      return keyOrThrow(
        subjectId,
        this.remember(subjectId, { state: 'active', key: await this.inner.readKey(subjectId) }),
      );
    } catch (error) {
      if (error instanceof SubjectForgottenError) {
        this.remember(subjectId, { state: 'forgotten', forgottenAt: error.forgottenAt ?? '' });
      }
      throw error;
    }
  }

  async forget(subjectId: string, request: ForgetRequest): Promise<ForgetResult> {
    this.entries.delete(subjectId);
    return this.inner.forget(subjectId, request);
  }

  private cached(subjectId: string): SubjectKeyState | undefined {
    const entry = this.entries.get(subjectId);
    if (entry === undefined) return undefined;
    if (entry.until > this.now()) return entry.held;
    this.entries.delete(subjectId);
    return undefined;
  }

  private remember(subjectId: string, held: SubjectKeyState): SubjectKeyState {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const until = held.state === 'forgotten' ? Number.POSITIVE_INFINITY : this.now() + this.ttlMs;
    this.entries.set(subjectId, { held, until });
    return held;
  }
}
