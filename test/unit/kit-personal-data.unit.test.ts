import { describe, expect, it } from 'vitest';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import {
  CachedSubjectKeys,
  DecryptionFailedError,
  decryptValue,
  ERASED_PLACEHOLDER,
  encryptValue,
  InMemorySubjectKeys,
  isCiphertext,
  KeyNotFoundError,
  personalFieldsOf,
  protectEvent,
  revealEvent,
  revealOrErase,
  SubjectForgottenError,
} from '../../shared/kit/personal-data/index.ts';
import { newSubjectKey } from '../../shared/kit/personal-data/subject-keys.ts';

const binding = { subjectId: 'cus-1', label: 'email' };
const at = { requestedBy: 'test', at: new Date('2026-12-02T10:00:00Z') };

describe('the personal-data cipher', () => {
  it('opens what it sealed, and the same value of the same subject seals to the same string', () => {
    const key = newSubjectKey();
    const sealed = encryptValue(key, binding, 'ada@example.com');

    expect(isCiphertext(sealed)).toBe(true);
    expect(sealed).not.toContain('ada');
    expect(encryptValue(key, binding, 'ada@example.com')).toBe(sealed);
    expect(decryptValue(key, binding, sealed)).toBe('ada@example.com');
  });

  it('refuses a wrong key with DECRYPTION_FAILED instead of garbage', () => {
    const sealed = encryptValue(newSubjectKey(), binding, 'ada@example.com');

    expect(() => decryptValue(newSubjectKey(), binding, sealed)).toThrow(DecryptionFailedError);
  });

  it('refuses a tampered ciphertext with DECRYPTION_FAILED, whichever part was changed', () => {
    const key = newSubjectKey();
    const sealed = encryptValue(key, binding, 'ada@example.com');
    const [iv, body, tag] = sealed.slice('pii:v1:'.length).split('.') as [string, string, string];
    const flip = (part: string) => (part[0] === 'A' ? 'B' : 'A') + part.slice(1);

    for (const tampered of [
      `pii:v1:${flip(iv)}.${body}.${tag}`,
      `pii:v1:${iv}.${flip(body)}.${tag}`,
      `pii:v1:${iv}.${body}.${flip(tag)}`,
    ]) {
      const error = (() => {
        try {
          decryptValue(key, binding, tampered);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(DecryptionFailedError);
      expect((error as DecryptionFailedError).code).toBe('DECRYPTION_FAILED');
    }
  });

  it('refuses a ciphertext moved to another subject or another kind of field', () => {
    const key = newSubjectKey();
    const sealed = encryptValue(key, binding, 'ada@example.com');

    expect(() => decryptValue(key, { subjectId: 'cus-2', label: 'email' }, sealed)).toThrow(
      DecryptionFailedError,
    );
    expect(() => decryptValue(key, { subjectId: 'cus-1', label: 'phone' }, sealed)).toThrow(
      DecryptionFailedError,
    );
  });
});

describe('subject keys', () => {
  it('answers a missing key with KEY_NOT_FOUND and a forgotten one with SUBJECT_FORGOTTEN', async () => {
    const keys = new InMemorySubjectKeys();
    await keys.keyFor('cus-1');

    await expect(keys.readKey('cus-2')).rejects.toBeInstanceOf(KeyNotFoundError);
    expect((await keys.forget('cus-1', at)).outcome).toBe('erased');
    await expect(keys.readKey('cus-1')).rejects.toMatchObject({ code: 'SUBJECT_FORGOTTEN' });
  });

  it('says so when a subject is forgotten twice, keeping the first erasure time', async () => {
    const keys = new InMemorySubjectKeys();
    await keys.keyFor('cus-1');
    await keys.forget('cus-1', at);

    const again = await keys.forget('cus-1', { requestedBy: 'test', at: new Date('2027-01-01T00:00:00Z') });

    expect(again).toEqual({ subjectId: 'cus-1', outcome: 'already', forgottenAt: at.at.toISOString() });
  });

  it('keeps a cached key no longer than its TTL after the subject is forgotten elsewhere', async () => {
    const inner = new InMemorySubjectKeys();
    let now = 0;
    const cached = new CachedSubjectKeys(inner, { ttlMs: 1000, now: () => now });
    await cached.keyFor('cus-1');
    await cached.readKey('cus-1');
    await inner.forget('cus-1', at);

    now = 999;
    await expect(cached.readKey('cus-1')).resolves.toBeInstanceOf(Buffer);
    now = 1000;
    await expect(cached.readKey('cus-1')).rejects.toBeInstanceOf(SubjectForgottenError);
  });
});

describe('protecting and revealing catalog events', () => {
  const placed = () => ordersCatalog.example('OrderPlaced', { correlationId: 'c-1' });

  it('lists the personal fields the orders catalog declares', () => {
    const fields = personalFieldsOf(ordersCatalog.definitionOf('OrderPlaced')).map((field) =>
      field.path.join('.'),
    );

    expect(fields).toEqual(['contact.email', 'contact.phone', 'contact.pushToken']);
  });

  it('encrypts the contact of an OrderPlaced, which still validates, and reveals it for a reader', async () => {
    const keys = new InMemorySubjectKeys();

    const protectedEvent = await protectEvent(ordersCatalog, placed(), keys);

    expect(JSON.stringify(protectedEvent)).not.toContain('ada@example.com');
    const parsed = ordersCatalog.parse(protectedEvent);
    if (parsed.type !== 'OrderPlaced') throw new Error('expected OrderPlaced');
    expect(parsed.data.contact.email).toBe(protectedEvent.data.contact.email);
    const revealed = await revealEvent(ordersCatalog, protectedEvent, keys);
    expect(revealed.data.contact.email).toBe('ada@example.com');
  });

  it('shows [erased] once the customer is forgotten, and writes only the erased marker afterwards', async () => {
    const keys = new InMemorySubjectKeys();
    const stored = await protectEvent(ordersCatalog, placed(), keys);
    await keys.forget('cus-42', at);

    const shown = await revealOrErase(ordersCatalog, stored, keys);
    const later = await protectEvent(ordersCatalog, placed(), keys);

    expect(shown.data.contact.email).toBe(ERASED_PLACEHOLDER);
    await expect(revealEvent(ordersCatalog, stored, keys)).rejects.toBeInstanceOf(SubjectForgottenError);
    expect(later.data.contact.email).toBe('pii:v1:erased');
  });

  it('upcasts an encrypted v1 email to v2 contact.email, where it still decrypts', async () => {
    const keys = new InMemorySubjectKeys();
    const key = await keys.keyFor('cus-42');
    if (key.state !== 'active') throw new Error('expected a key');
    const email = encryptValue(key.key, { subjectId: 'cus-42', label: 'email' }, 'old@example.com');
    const v1 = {
      ...placed(),
      version: 1,
      data: {
        ...(ordersCatalog.definitionOf('OrderPlaced').previous[0]?.example as Record<string, unknown>),
        customerId: 'cus-42',
        email,
      },
    };

    const upcast = ordersCatalog.parse(v1);
    if (upcast.type !== 'OrderPlaced') throw new Error('expected OrderPlaced');
    const revealed = await revealEvent(ordersCatalog, upcast, keys);

    expect(upcast.data.contact.email).toBe(email);
    expect(revealed.data.contact).toEqual({ email: 'old@example.com', channels: ['email'] });
  });
});

describe('personal fields in a schema', () => {
  it('report a bad clear value with the clear schema’s own message, not the union’s', () => {
    const bad = {
      ...ordersCatalog.definitionOf('OrderPlaced').example,
      contact: { phone: '+49x', channels: ['sms'] },
    };

    expect(() => ordersCatalog.create('OrderPlaced', bad as never, { correlationId: 'c' })).toThrow(
      /data\.contact\.phone: must be an E\.164 phone number/,
    );
  });
});
