import { INPUT_CLAIM_TTL_SECONDS, type InputClaims } from '../../shared/kit/idempotency/input-claims.ts';

/** {@link InputClaims} in process memory, for unit tests. */
export class InMemoryInputClaims implements InputClaims {
  private readonly claims = new Map<string, { fingerprint: string; expiresAt: number }>();

  constructor(private readonly ttlSeconds = INPUT_CLAIM_TTL_SECONDS) {}

  async claim(key: string, fingerprint: string, now: Date): Promise<string> {
    const held = this.claims.get(key);
    if (held !== undefined && held.expiresAt > now.getTime()) return held.fingerprint;
    this.claims.set(key, { fingerprint, expiresAt: now.getTime() + this.ttlSeconds * 1000 });
    return fingerprint;
  }
}
