import type { BeginOptions, BeginResult, IdempotencyStore } from './port.ts';

interface MemoryRecord {
  status: 'IN_PROGRESS' | 'COMPLETED';
  inProgressUntil: number;
  expiresAt: number;
  result?: string;
}

/**
 * {@link IdempotencyStore} in process memory, with the DynamoDB adapter's semantics (expiry checked on
 * every read, results stored as JSON). For unit tests and local tools.
 */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, MemoryRecord>();

  async begin(key: string, options: BeginOptions): Promise<BeginResult> {
    const now = options.now.getTime();
    const existing = this.records.get(key);
    if (existing && existing.expiresAt > now) {
      if (existing.status === 'COMPLETED') {
        return { status: 'completed', result: parseResult(existing.result) };
      }
      if (existing.inProgressUntil > now) {
        return { status: 'in-progress', until: new Date(existing.inProgressUntil) };
      }
    }
    this.records.set(key, {
      status: 'IN_PROGRESS',
      inProgressUntil: options.inProgressUntil.getTime(),
      expiresAt: options.expiresAt.getTime(),
    });
    return { status: 'started' };
  }

  async complete(key: string, result: unknown, expiresAt: Date): Promise<void> {
    this.records.set(key, {
      status: 'COMPLETED',
      inProgressUntil: 0,
      expiresAt: expiresAt.getTime(),
      result: JSON.stringify(result ?? null),
    });
  }

  async release(key: string): Promise<void> {
    if (this.records.get(key)?.status === 'IN_PROGRESS') this.records.delete(key);
  }

  /** Number of records held, expired ones included (for tests). */
  get size(): number {
    return this.records.size;
  }
}

function parseResult(result: string | undefined): unknown {
  return result === undefined ? null : JSON.parse(result);
}
