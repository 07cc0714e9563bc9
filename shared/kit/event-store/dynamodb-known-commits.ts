import type { CommitInfo } from './dynamodb-items.ts';

/** How many streams' last seen commits one store instance keeps; the oldest seen is dropped first. */
const DEFAULT_CAPACITY = 10_000;

/**
 * The newest commit this store instance has seen per stream (read or written). Safe to keep across
 * invocations of a warm Lambda: streams only grow, so "a commit ends at version n" stays true forever.
 * It saves the query that would otherwise prove a caller's expected version is such a position.
 */
export class KnownCommits {
  private readonly byStream = new Map<string, CommitInfo>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get(streamId: string): CommitInfo | undefined {
    return this.byStream.get(streamId);
  }

  /** Keeps `commit` unless a later one of the stream is known already. */
  remember(streamId: string, commit: CommitInfo): void {
    const known = this.byStream.get(streamId);
    if (known !== undefined && known.toVersion >= commit.toVersion) return;
    this.byStream.delete(streamId);
    this.byStream.set(streamId, commit);
    if (this.byStream.size > this.capacity) {
      const oldest = this.byStream.keys().next().value;
      if (oldest !== undefined) this.byStream.delete(oldest);
    }
  }
}
