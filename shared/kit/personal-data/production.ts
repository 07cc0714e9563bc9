import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from '../zod.ts';
import { DynamoDbSubjectKeys } from './dynamodb-subject-keys.ts';
import { CachedSubjectKeys, type SubjectKeys } from './subject-keys.ts';

/**
 * Environment of a function that encrypts or reads personal fields: the keys table (set by the stack
 * only on the functions granted it) and the cache TTL.
 */
export const subjectKeysEnvSchema = z.object({
  SUBJECT_KEYS_TABLE: z.string().check(z.minLength(1)),
  /** How long a warm function keeps a subject's key: the bound on using a key after `forget`. */
  SUBJECT_KEY_CACHE_TTL_MS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(300_000)), 60_000),
});

/** Default bound, in ms, on how long a warm function may still use a key after `pipeline forget`. */
export const DEFAULT_SUBJECT_KEY_CACHE_TTL_MS = 60_000;

/** The keys of a function, cached per execution environment: call once at module scope. */
export function productionSubjectKeys(
  env: z.infer<typeof subjectKeysEnvSchema>,
  client: DynamoDBClient,
): SubjectKeys {
  return new CachedSubjectKeys(new DynamoDbSubjectKeys({ client, tableName: env.SUBJECT_KEYS_TABLE }), {
    ttlMs: env.SUBJECT_KEY_CACHE_TTL_MS,
  });
}
