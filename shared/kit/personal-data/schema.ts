import * as z from '../zod.ts';
import { CIPHERTEXT_PATTERN } from './cipher.ts';

/**
 * Marks a string field of an event schema as personal data. The field then accepts its clear value
 * (checked by `schema`) or a ciphertext of it (see `cipher.ts`), and the kit encrypts it before it is
 * stored or sent. `label` names the kind of value in the AAD: values with the same label of the same
 * subject may move between fields (an upcaster moving v1 `email` to v2 `contact.email`, the saga
 * copying `contact` from `OrderPlaced` to `OrderConfirmed`); values of another label may not.
 * @default label: the field's own name
 */
export function personal<S extends z.core.$ZodType<string>>(
  schema: S,
  options: { readonly label?: string } = {},
) {
  // A clear value that fails is reported with the clear schema's own message ("Invalid email
  // address", "must be an E.164 phone number"), not the union's bare "Invalid input".
  const marked = z.union([ciphertextSchema, schema], {
    error: (issue) => (issue.code === 'invalid_union' ? issue.errors?.[1]?.[0]?.message : undefined),
  });
  personalRegistry.add(marked, { label: options.label });
  return marked;
}

/** What the registry knows of a personal field. */
interface PersonalMeta {
  readonly label?: string | undefined;
}

const personalRegistry = z.registry<PersonalMeta>();

/** A ciphertext as the schemas accept it in place of a clear personal value. */
export const ciphertextSchema = z
  .string()
  .check(z.regex(CIPHERTEXT_PATTERN), z.describe('Personal data, encrypted under the data subject’s key'));

/** One personal field of a schema: its path (`*` = every array element) and its AAD label. */
export interface PersonalField {
  readonly path: readonly string[];
  readonly label: string;
}

/** Dotted form of a field path, as `pipeline catalog` shows it (`contact.email`, `items.*.name`). */
export function fieldPathText(field: PersonalField): string {
  return field.path.join('.');
}

/** Every personal field of `schema`, found by walking objects, arrays, optionals and pipes. */
export function personalFields(schema: z.core.$ZodType): PersonalField[] {
  const found: PersonalField[] = [];
  walk(schema, [], found);
  return found;
}

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.core.$ZodType>;
  readonly innerType?: z.core.$ZodType;
  readonly element?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly options?: readonly z.core.$ZodType[];
}

function walk(schema: z.core.$ZodType, path: readonly string[], found: PersonalField[]): void {
  const meta = personalRegistry.get(schema);
  if (meta) {
    found.push({ path, label: meta.label ?? path.at(-1) ?? 'value' });
    return;
  }
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  switch (def.type) {
    case 'object':
      for (const [key, child] of Object.entries(def.shape ?? {})) walk(child, [...path, key], found);
      return;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      if (def.innerType) walk(def.innerType, path, found);
      return;
    case 'array':
      if (def.element) walk(def.element, [...path, '*'], found);
      return;
    case 'pipe':
      if (def.in) walk(def.in, path, found);
      return;
    default:
      return;
  }
}
