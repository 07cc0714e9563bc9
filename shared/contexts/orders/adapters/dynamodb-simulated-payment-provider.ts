import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AuthorizationOutcome } from '../domain/payment.ts';
import {
  type AuthorizeRequest,
  type PaymentProvider,
  PaymentProviderUnavailableError,
  SIMULATED_TOKENS,
} from '../domain/payment-provider.ts';

/** Dependencies of {@link DynamoDbSimulatedPaymentProvider}. */
export interface DynamoDbSimulatedPaymentProviderOptions {
  readonly client: Pick<DynamoDBClient, 'send'>;
  /** Any table with string `pk`/`sk` keys; the deployed stack uses the event store's table. */
  readonly tableName: string;
  /** @default 'SIMPAY#' (never matched by the outbox filter, which wants `STREAM#`) */
  readonly keyPrefix?: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default random ids */
  readonly newAuthorizationId?: () => string;
}

/** What the simulated provider remembers about one idempotency key. */
export interface SimulatedLedgerEntry {
  /** Calls made with the key, failed ones included. */
  readonly attempts: number;
  /** The first answer given, which every later call with the key gets again. */
  readonly answer?: AuthorizationOutcome & { readonly answeredAt: string; readonly attempt: number };
}

/** How many attempts of a `tok_flaky` order fail before it is authorized (as the in-memory simulator). */
const FLAKY_FAILURES = 2;

type Item = Record<string, AttributeValue>;

/**
 * The scripted payment provider of `SimulatedPaymentProvider` (`tok_declined`, `tok_timeout`,
 * `tok_flaky`, anything else authorized) with its memory in DynamoDB instead of a process, because in
 * Lambda every retry of a record may run in another execution environment: the attempt count of a
 * `tok_flaky` order and the first answer per idempotency key must outlive the invocation, as they
 * would at a real provider. Items: `pk = <prefix><idempotency key>`, `sk = ATTEMPTS | ANSWER`, and
 * `pk = <prefix>VOID#<authorization id>` per void.
 */
export class DynamoDbSimulatedPaymentProvider implements PaymentProvider {
  private readonly prefix: string;
  private readonly clock: () => Date;
  private readonly newAuthorizationId: () => string;

  constructor(private readonly options: DynamoDbSimulatedPaymentProviderOptions) {
    this.prefix = options.keyPrefix ?? 'SIMPAY#';
    this.clock = options.clock ?? (() => new Date());
    this.newAuthorizationId = options.newAuthorizationId ?? (() => `auth-${randomUUID().slice(0, 13)}`);
  }

  async authorize(request: AuthorizeRequest, signal?: AbortSignal): Promise<AuthorizationOutcome> {
    const key = request.idempotencyKey;
    const attempt = await this.countAttempt(key, signal);
    const earlier = await this.answerOf(key, signal);
    if (earlier) return earlier;
    if (request.token === SIMULATED_TOKENS.timeout) return hangUntilAborted(signal);
    if (request.token === SIMULATED_TOKENS.flaky && attempt <= FLAKY_FAILURES) {
      throw new PaymentProviderUnavailableError(`simulated outage (attempt ${attempt})`);
    }
    const answer: AuthorizationOutcome =
      request.token === SIMULATED_TOKENS.declined
        ? { outcome: 'declined', reason: 'card declined' }
        : { outcome: 'authorized', authorizationId: this.newAuthorizationId() };
    return this.remember(request, answer, attempt, signal);
  }

  async void(authorizationId: string, signal?: AbortSignal): Promise<void> {
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: {
          pk: { S: `${this.prefix}VOID#${authorizationId}` },
          sk: { S: 'VOID' },
          voidedAt: { S: this.clock().toISOString() },
        },
      }),
      { abortSignal: signal },
    );
  }

  /** The provider's record of one idempotency key, for tests and support. */
  async ledger(idempotencyKey: string): Promise<SimulatedLedgerEntry> {
    const [attempts, answer] = await Promise.all([
      this.item(idempotencyKey, 'ATTEMPTS'),
      this.item(idempotencyKey, 'ANSWER'),
    ]);
    const parsed = answer && parseAnswer(answer);
    return {
      attempts: Number(attempts?.attempts?.N ?? '0'),
      ...(parsed && answer
        ? {
            answer: {
              ...parsed,
              answeredAt: answer.answeredAt?.S ?? '',
              attempt: Number(answer.attempt?.N ?? '0'),
            },
          }
        : {}),
    };
  }

  /** Whether `authorizationId` was voided. */
  async isVoided(authorizationId: string): Promise<boolean> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { pk: { S: `${this.prefix}VOID#${authorizationId}` }, sk: { S: 'VOID' } },
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  private async countAttempt(key: string, signal?: AbortSignal): Promise<number> {
    const result = await this.options.client.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: this.keyOf(key, 'ATTEMPTS'),
        UpdateExpression: 'ADD attempts :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
        ReturnValues: 'UPDATED_NEW',
      }),
      { abortSignal: signal },
    );
    return Number(result.Attributes?.attempts?.N ?? '1');
  }

  private async answerOf(key: string, signal?: AbortSignal): Promise<AuthorizationOutcome | undefined> {
    const item = await this.item(key, 'ANSWER', signal);
    return item && parseAnswer(item);
  }

  /** Stores the answer unless another call stored one first; either way returns the first answer. */
  private async remember(
    request: AuthorizeRequest,
    answer: AuthorizationOutcome,
    attempt: number,
    signal?: AbortSignal,
  ): Promise<AuthorizationOutcome> {
    const details: Item =
      answer.outcome === 'authorized'
        ? { authorizationId: { S: answer.authorizationId } }
        : { reason: { S: answer.reason } };
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...this.keyOf(request.idempotencyKey, 'ANSWER'),
            outcome: { S: answer.outcome },
            ...details,
            orderId: { S: request.orderId },
            amount: { N: String(request.amount) },
            currency: { S: request.currency },
            attempt: { N: String(attempt) },
            answeredAt: { S: this.clock().toISOString() },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal: signal },
      );
      return answer;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const first = error.Item ? parseAnswer(error.Item) : await this.answerOf(request.idempotencyKey);
      if (!first) throw error;
      return first;
    }
  }

  private async item(key: string, sk: string, signal?: AbortSignal): Promise<Item | undefined> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: this.keyOf(key, sk),
        ConsistentRead: true,
      }),
      { abortSignal: signal },
    );
    return Item;
  }

  private keyOf(key: string, sk: string): Item {
    return { pk: { S: this.prefix + key }, sk: { S: sk } };
  }
}

function parseAnswer(item: Item): AuthorizationOutcome | undefined {
  if (item.outcome?.S === 'authorized' && item.authorizationId?.S) {
    return { outcome: 'authorized', authorizationId: item.authorizationId.S };
  }
  if (item.outcome?.S === 'declined') return { outcome: 'declined', reason: item.reason?.S ?? 'declined' };
  return undefined;
}

/** A call that never answers: settles only when `signal` aborts (then rejects with its reason). */
function hangUntilAborted(signal?: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
