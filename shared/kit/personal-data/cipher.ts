import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { DecryptionFailedError, SubjectForgottenError } from './errors.ts';

/**
 * Field-level encryption of personal values: AES-256-GCM under the data subject's key, with the
 * subject id and the field's label as additional authenticated data, so a ciphertext copied to another
 * subject or another kind of field fails to open.
 *
 * The 96-bit IV is synthetic (the first 12 bytes of HMAC-SHA-256 over the AAD and the value, under a
 * key derived from the subject's key), not random: the same value of the same subject always encrypts
 * to the same string. The pipeline compares content hashes of inputs (a producer's retry, an API retry
 * with the same Idempotency-Key, onboarding's resend check); with random IVs every retry would look
 * like other content. What this costs: equal values of one subject are visibly equal. An IV repeats
 * only for the same (subject, label, value), which then yields the same ciphertext: GCM's nonce-reuse
 * failure needs two different plaintexts under one IV, which takes a 96-bit HMAC collision.
 *
 * Form: `pii:v1:<iv>.<ciphertext>.<tag>` (base64url), a string, so it fits the string fields it
 * replaces and a reader recognises it. `pii:v1:erased` stands for a value written after its subject
 * was forgotten: recognised, never decrypted.
 */

const PREFIX = 'pii:v1:';
/** The value written in place of a personal field whose subject is already forgotten. */
export const ERASED_CIPHERTEXT = `${PREFIX}erased`;
/** What a read model or a listing shows for a value that can no longer be read. */
export const ERASED_PLACEHOLDER = '[erased]';
export const CIPHERTEXT_PATTERN = /^pii:v1:(?:erased|[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22})$/;
const KEY_BYTES = 32;

/** True when `value` is a personal field's ciphertext (or the erased marker), not a clear value. */
export function isCiphertext(value: unknown): value is string {
  return typeof value === 'string' && CIPHERTEXT_PATTERN.test(value);
}

/** Where a value sits: its subject and the label of its field (`email`, `phone`, …). */
export interface FieldBinding {
  readonly subjectId: string;
  readonly label: string;
}

function aad({ subjectId, label }: FieldBinding): Buffer {
  // Length-prefixed so `a|b` + `c` never equals `a` + `b|c`.
  return Buffer.from(`${PREFIX}${subjectId.length}:${subjectId}|${label.length}:${label}`, 'utf8');
}

function subKey(key: Buffer, purpose: 'enc' | 'iv'): Buffer {
  return createHmac('sha256', key).update(`pipeline personal-data ${purpose}`).digest();
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES)
    throw new RangeError(`a subject key is ${KEY_BYTES} bytes, got ${key.length}`);
}

/** Encrypts one clear value bound to its subject and field. */
export function encryptValue(key: Buffer, binding: FieldBinding, value: string): string {
  assertKey(key);
  const additional = aad(binding);
  const iv = createHmac('sha256', subKey(key, 'iv'))
    .update(additional)
    .update(value, 'utf8')
    .digest()
    .subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', subKey(key, 'enc'), iv);
  cipher.setAAD(additional);
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  const parts = [iv, body, cipher.getAuthTag()].map((part) => part.toString('base64url'));
  return `${PREFIX}${parts.join('.')}`;
}

/**
 * Opens a ciphertext of {@link encryptValue}. Wrong key, other subject or field, or any changed byte:
 * {@link DecryptionFailedError}; the erased marker: {@link SubjectForgottenError}.
 */
export function decryptValue(key: Buffer, binding: FieldBinding, ciphertext: string): string {
  if (ciphertext === ERASED_CIPHERTEXT) throw new SubjectForgottenError(binding.subjectId);
  if (!isCiphertext(ciphertext)) throw new DecryptionFailedError(binding.subjectId, binding.label);
  assertKey(key);
  const [iv, body, tag] = ciphertext
    .slice(PREFIX.length)
    .split('.')
    .map((part) => Buffer.from(part, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', subKey(key, 'enc'), iv as Buffer);
    decipher.setAAD(aad(binding));
    decipher.setAuthTag(tag as Buffer);
    return Buffer.concat([decipher.update(body as Buffer), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new DecryptionFailedError(binding.subjectId, binding.label, cause);
  }
}
