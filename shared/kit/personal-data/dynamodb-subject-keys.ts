import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type ForgetRequest,
  type ForgetResult,
  keyOrThrow,
  newSubjectKey,
  type SubjectKeyState,
  type SubjectKeys,
} from './subject-keys.ts';

/** The keys table's one key attribute (string): the data subject's id, e.g. `cus-42`. */
export const SUBJECT_KEYS_PARTITION_KEY = 'subjectId';

type Item = Record<string, AttributeValue>;

/**
 * The keys table on DynamoDB. An item is either `{subjectId, key (B, 32 bytes), createdAt}` or, after
 * `pipeline forget`, the tombstone `{subjectId, forgottenAt, requestedBy}`: the audit record of the
 * erasure, which also stops a later write from creating a new key for the subject. Reads are strongly
 * consistent (1 RRU): an eventually consistent miss right after a writer created the key would make a
 * reader skip a notification it should send.
 *
 * Calls: `keyFor` GetItem, then on a miss one conditional PutItem (`attribute_not_exists`; the race's
 * loser reads the winner's key back); `readKey` GetItem; `forget` one conditional PutItem.
 */
export class DynamoDbSubjectKeys implements SubjectKeys {
  constructor(private readonly options: { readonly client: DynamoDBClient; readonly tableName: string }) {}

  async keyFor(subjectId: string): Promise<SubjectKeyState> {
    const held = await this.get(subjectId);
    if (held) return held;
    const key = newSubjectKey();
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            [SUBJECT_KEYS_PARTITION_KEY]: { S: subjectId },
            key: { B: key },
            createdAt: { S: new Date().toISOString() },
          },
          ConditionExpression: `attribute_not_exists(${SUBJECT_KEYS_PARTITION_KEY})`,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { state: 'active', key };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A concurrent writer created it (or the operator forgot the subject): use what is there.
      const winner = stateOf(error.Item) ?? (await this.get(subjectId));
      if (winner === undefined) throw error;
      return winner;
    }
  }

  async readKey(subjectId: string): Promise<Buffer> {
    return keyOrThrow(subjectId, await this.get(subjectId));
  }

  async forget(subjectId: string, request: ForgetRequest): Promise<ForgetResult> {
    const forgottenAt = request.at.toISOString();
    try {
      const out = await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            [SUBJECT_KEYS_PARTITION_KEY]: { S: subjectId },
            forgottenAt: { S: forgottenAt },
            requestedBy: { S: request.requestedBy },
          },
          // The first erasure's record stays: forgetting again changes nothing and says so.
          ConditionExpression: 'attribute_not_exists(forgottenAt)',
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { subjectId, outcome: out.Attributes?.key ? 'erased' : 'no-key', forgottenAt };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const held = stateOf(error.Item) ?? (await this.get(subjectId));
      return {
        subjectId,
        outcome: 'already',
        forgottenAt: held?.state === 'forgotten' ? held.forgottenAt : forgottenAt,
      };
    }
  }

  private async get(subjectId: string): Promise<SubjectKeyState | undefined> {
    const out = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { [SUBJECT_KEYS_PARTITION_KEY]: { S: subjectId } },
        ConsistentRead: true,
      }),
    );
    return stateOf(out.Item);
  }
}

function stateOf(item: Item | undefined): SubjectKeyState | undefined {
  if (item === undefined) return undefined;
  const forgottenAt = item.forgottenAt?.S;
  if (forgottenAt !== undefined) return { state: 'forgotten', forgottenAt };
  const key = item.key?.B;
  return key === undefined ? undefined : { state: 'active', key: Buffer.from(key) };
}
