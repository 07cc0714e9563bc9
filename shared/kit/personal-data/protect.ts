import { valuesAt } from '../events/data-path.ts';
import type { EventDefinition } from '../events/define.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import { decryptValue, ERASED_CIPHERTEXT, ERASED_PLACEHOLDER, encryptValue, isCiphertext } from './cipher.ts';
import { isErasedData, type KeyNotFoundError, type SubjectForgottenError } from './errors.ts';
import { type PersonalField, personalFields } from './schema.ts';
import type { SubjectKeys } from './subject-keys.ts';

/** What protect and reveal need of a catalog: the definition of a type, if it has one. */
export interface DefinitionLookup {
  isType(name: string): boolean;
  definitionOf(type: string): EventDefinition;
}

const fieldsCache = new WeakMap<EventDefinition, readonly PersonalField[]>();

/** The personal fields of a definition's newest version (what consumers and the store see). */
export function personalFieldsOf(definition: EventDefinition): readonly PersonalField[] {
  let fields = fieldsCache.get(definition);
  if (fields === undefined) {
    fields = personalFields(definition.schema);
    fieldsCache.set(definition, fields);
  }
  return fields;
}

/** The personal part of an event: its subject and fields, or undefined when it carries none. */
function personalPartOf(
  catalog: DefinitionLookup,
  event: EventEnvelope,
): { subjectId: string; fields: readonly PersonalField[] } | undefined {
  if (!catalog.isType(event.type)) return undefined;
  const definition = catalog.definitionOf(event.type);
  const fields = personalFieldsOf(definition);
  if (fields.length === 0 || definition.subject === undefined) return undefined;
  const subjectId = event.data[definition.subject];
  return typeof subjectId === 'string' && subjectId.length > 0 ? { subjectId, fields } : undefined;
}

/**
 * The event with every clear personal field encrypted under its subject's key (created on first use):
 * what an intake does before it hashes, claims or stores what arrived, and what `pipeline inject`
 * and the HTTP API do before anything leaves them. Ciphertext is left as it is. A forgotten subject's
 * values become the erased marker: nothing personal of a forgotten subject is written again.
 */
export async function protectEvent<E extends EventEnvelope>(
  catalog: DefinitionLookup,
  event: E,
  keys: SubjectKeys,
): Promise<E> {
  const part = personalPartOf(catalog, event);
  if (part === undefined) return event;
  const { subjectId, fields } = part;
  const clear = fields.some((field) => hasClearValue(event.data, field.path));
  if (!clear) return event;
  const held = await keys.keyFor(subjectId);
  const data = mapFields(event.data, fields, (value, field) => {
    if (isCiphertext(value)) return value;
    return held.state === 'forgotten'
      ? ERASED_CIPHERTEXT
      : encryptValue(held.key, { subjectId, label: field.label }, value);
  });
  return { ...event, data };
}

/**
 * The event with its personal fields decrypted, for the few readers that need clear values (a
 * notification channel). Throws the typed error of the first field that cannot be read:
 * {@link SubjectForgottenError} / {@link KeyNotFoundError} (skip the side effect, with the reason),
 * {@link DecryptionFailedError} (wrong key or tampered: never garbage). Clear values (events stored
 * before fields were marked personal) pass through.
 */
export async function revealEvent<E extends EventEnvelope>(
  catalog: DefinitionLookup,
  event: E,
  keys: SubjectKeys,
): Promise<E> {
  const part = personalPartOf(catalog, event);
  if (part === undefined) return event;
  const { subjectId, fields } = part;
  if (!fields.some((field) => hasCiphertext(event.data, field.path))) return event;
  const key = await keys.readKey(subjectId);
  const data = mapFields(event.data, fields, (value, field) =>
    isCiphertext(value) ? decryptValue(key, { subjectId, label: field.label }, value) : value,
  );
  return { ...event, data };
}

/** What {@link revealForEffect} answers: the clear event, or why its subject's data cannot be read. */
export type Revealed<E> =
  | { readonly event: E; readonly erased?: undefined }
  | { readonly erased: KeyNotFoundError | SubjectForgottenError };

/**
 * {@link revealEvent} for a reader about to cause a side effect (send a message): the clear event, or
 * the erasure (a forgotten subject, a missing key) it skips the effect on, with the reason, instead of
 * retrying. A tampered value still throws ({@link DecryptionFailedError}: never garbage).
 */
export async function revealForEffect<E extends EventEnvelope>(
  catalog: DefinitionLookup,
  event: E,
  keys: SubjectKeys,
): Promise<Revealed<E>> {
  try {
    return { event: await revealEvent(catalog, event, keys) };
  } catch (error) {
    if (!isErasedData(error)) throw error;
    return { erased: error };
  }
}

/**
 * {@link revealEvent} for listings and read models: a value whose subject is forgotten (or whose key is
 * missing) reads `[erased]`; a tampered value still throws.
 */
export async function revealOrErase<E extends EventEnvelope>(
  catalog: DefinitionLookup,
  event: E,
  keys: SubjectKeys,
): Promise<E> {
  const revealed = await revealForEffect(catalog, event, keys);
  if (revealed.erased === undefined) return revealed.event;
  const part = personalPartOf(catalog, event);
  if (part === undefined) return event;
  const data = mapFields(event.data, part.fields, (value) =>
    isCiphertext(value) ? ERASED_PLACEHOLDER : value,
  );
  return { ...event, data };
}

function mapFields(
  data: Record<string, unknown>,
  fields: readonly PersonalField[],
  map: (value: string, field: PersonalField) => string,
): Record<string, unknown> {
  let result: unknown = data;
  for (const field of fields) result = mapAt(result, field.path, (value) => map(value, field));
  return result as Record<string, unknown>;
}

function mapAt(value: unknown, path: readonly string[], map: (value: string) => string): unknown {
  if (path.length === 0) return typeof value === 'string' ? map(value) : value;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') return Array.isArray(value) ? value.map((item) => mapAt(item, rest, map)) : value;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, head)) {
    return value;
  }
  const record = value as Record<string, unknown>;
  return { ...record, [head]: mapAt(record[head], rest, map) };
}

function hasClearValue(data: unknown, path: readonly string[]): boolean {
  return valuesAt(data, path).some((value) => typeof value === 'string' && !isCiphertext(value));
}

function hasCiphertext(data: unknown, path: readonly string[]): boolean {
  return valuesAt(data, path).some(isCiphertext);
}
