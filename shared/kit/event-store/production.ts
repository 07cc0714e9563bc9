import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientConfig } from '../aws/client-config.ts';
import type { AnyCatalog } from '../events/catalog.ts';
import { storedEventUpcaster } from '../events/internal.ts';
import type { StoredEventCheck } from '../events/stored.ts';
import { DynamoDbInputClaims, type InputClaims } from '../idempotency/input-claims.ts';
import * as z from '../zod.ts';
import { DynamoDbEventStore } from './dynamodb.ts';
import { cataloguedTypes } from './dynamodb-indexes.ts';
import { dynamoDbStoredEventCheck } from './stored-check.ts';

/**
 * Environment of a Lambda that uses the event store (extend the consumer schema with its shape): its
 * table, and the stream types the stream catalog lists (comma-separated; absent = every type), which
 * the stack sets from the contexts' `catalogedStreamTypes`.
 */
export const eventStoreEnvSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  EVENT_STORE_CATALOG_TYPES: z.optional(z.string()),
});

/** What {@link productionEventStore} reads: the table and where AWS is. */
export interface EventStoreEnv {
  readonly TABLE_NAME: string;
  readonly EVENT_STORE_CATALOG_TYPES?: string | undefined;
  readonly AWS_REGION: string;
  readonly AWS_ENDPOINT_URL?: string | undefined;
}

/**
 * The event store a Lambda uses: one DynamoDB client on the configured endpoint and the store on
 * `TABLE_NAME`, upcasting the events of `catalog` on read. Call once at module scope; the client is returned
 * too, for adapters that share the table (idempotency records, the simulated payment provider).
 */
export function productionEventStore(
  env: EventStoreEnv,
  catalog: AnyCatalog,
): {
  client: DynamoDBClient;
  store: DynamoDbEventStore;
  /** Checks a stored mark against this table before a consumer acts on a marked event. */
  storedCheck: StoredEventCheck;
  /** Claims the ids of events a consumer takes first-hand (its intake), in this table. */
  inputClaims: InputClaims;
} {
  const client = new DynamoDBClient(
    clientConfig({
      region: env.AWS_REGION,
      ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    }),
  );
  return {
    client,
    store: new DynamoDbEventStore({
      client,
      tableName: env.TABLE_NAME,
      upcast: storedEventUpcaster(catalog),
      ...catalogOption(env.EVENT_STORE_CATALOG_TYPES),
    }),
    storedCheck: dynamoDbStoredEventCheck({ client, tableName: env.TABLE_NAME, catalog }),
    inputClaims: new DynamoDbInputClaims({ client, tableName: env.TABLE_NAME }),
  };
}

function catalogOption(list: string | undefined): { catalogued?: (streamType: string) => boolean } {
  const catalogued = cataloguedTypes(list);
  return catalogued ? { catalogued } : {};
}
