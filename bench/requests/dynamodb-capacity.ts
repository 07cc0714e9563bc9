/**
 * DynamoDB on-demand request units of one API call, computed from its request and response bodies
 * the way AWS bills them: writes 1 WRU per KB of item (2 in a transaction), reads 1 RRU per 4 KB
 * (half when eventually consistent, 2 in a transaction). The emulator's own ConsumedCapacity is not
 * used: MiniStack reports a flat 1 per item.
 *
 * Approximations (said in the report): an UpdateItem or Delete bills the item as it is after (or
 * before) the call, which the request does not carry, so it counts the size of the key and values it
 * sends (at least 1 unit); a ConditionCheck inside a transaction is counted as 2 WRU; a Query bills
 * the items it read, of which only the returned ones are seen (no filter expressions are used here).
 */

/** A DynamoDB attribute value in the wire format (`{ S: … }`, `{ N: … }`, `{ M: { … } }` …). */
type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

export interface Capacity {
  readonly wru: number;
  readonly rru: number;
}

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** Size of a number as DynamoDB stores it: about one byte per two significant digits, plus one. */
function numberSize(value: string): number {
  const digits = value.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Bytes of one attribute value (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html). */
export function valueSize(value: AttributeValue): number {
  const [type, inner] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return utf8(String(inner));
    case 'N':
      return numberSize(String(inner));
    case 'B':
      return Buffer.from(String(inner), 'base64').byteLength;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (inner as string[]).reduce((sum, s) => sum + utf8(s), 0);
    case 'NS':
      return (inner as string[]).reduce((sum, n) => sum + numberSize(n), 0);
    case 'BS':
      return (inner as string[]).reduce((sum, b) => sum + Buffer.from(b, 'base64').byteLength, 0);
    case 'L':
      return 3 + (inner as AttributeValue[]).reduce((sum, v) => sum + 1 + valueSize(v), 0);
    case 'M':
      return 3 + Object.entries(inner as Item).reduce((sum, [k, v]) => sum + 1 + utf8(k) + valueSize(v), 0);
    default:
      return 0;
  }
}

/** Bytes of an item: attribute names plus values. */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

const KB = 1024;
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));
const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / (4 * KB))) * (consistent ? 1 : 0.5);

/** What an Update/Delete/ConditionCheck sends: its key and expression values. */
function sentSize(action: Record<string, unknown>): number {
  return (
    itemSize(action.Key as Item | undefined) + itemSize(action.ExpressionAttributeValues as Item | undefined)
  );
}

function transactWrite(body: Record<string, unknown>): Capacity {
  let wru = 0;
  for (const entry of (body.TransactItems as Record<string, Record<string, unknown>>[]) ?? []) {
    if (entry.Put) wru += 2 * writeUnits(itemSize(entry.Put.Item as Item));
    else if (entry.Update) wru += 2 * writeUnits(sentSize(entry.Update));
    else if (entry.Delete) wru += 2 * writeUnits(sentSize(entry.Delete));
    else if (entry.ConditionCheck) wru += 2;
  }
  return { wru, rru: 0 };
}

function batchWrite(body: Record<string, unknown>): Capacity {
  let wru = 0;
  for (const requests of Object.values((body.RequestItems as Record<string, unknown[]>) ?? {})) {
    for (const request of requests as Record<string, Record<string, unknown>>[]) {
      if (request.PutRequest) wru += writeUnits(itemSize(request.PutRequest.Item as Item));
      else if (request.DeleteRequest) wru += writeUnits(itemSize(request.DeleteRequest.Key as Item));
    }
  }
  return { wru, rru: 0 };
}

function itemsRead(response: Record<string, unknown>): number {
  return ((response.Items as Item[]) ?? []).reduce((sum, item) => sum + itemSize(item), 0);
}

/**
 * Request units of one call. `response` is the parsed response body (reads are billed by what they
 * read); unparseable or error responses still bill writes (a failed conditional write consumes its
 * units) and bill reads at the minimum.
 */
export function capacityOf(
  action: string,
  body: Record<string, unknown>,
  response: Record<string, unknown> = {},
): Capacity {
  const consistent = body.ConsistentRead === true;
  switch (action) {
    case 'PutItem':
      return { wru: writeUnits(itemSize(body.Item as Item)), rru: 0 };
    case 'UpdateItem':
    case 'DeleteItem':
      return { wru: writeUnits(Math.max(sentSize(body), itemSize(response.Attributes as Item))), rru: 0 };
    case 'TransactWriteItems':
      return transactWrite(body);
    case 'BatchWriteItem':
      return batchWrite(body);
    case 'GetItem':
      return { wru: 0, rru: readUnits(itemSize(response.Item as Item), consistent) };
    case 'Query':
    case 'Scan':
      return { wru: 0, rru: readUnits(itemsRead(response), consistent) };
    case 'TransactGetItems': {
      const responses = (response.Responses as { Item?: Item }[]) ?? [];
      const count = Math.max(responses.length, ((body.TransactItems as unknown[]) ?? []).length);
      const rru = responses.reduce((sum, r) => sum + 2 * readUnits(itemSize(r.Item), true), 0);
      return { wru: 0, rru: Math.max(rru, 2 * count) };
    }
    case 'BatchGetItem': {
      let rru = 0;
      for (const items of Object.values((response.Responses as Record<string, Item[]>) ?? {})) {
        for (const item of items) rru += readUnits(itemSize(item), consistent);
      }
      return { wru: 0, rru };
    }
    default:
      return { wru: 0, rru: 0 };
  }
}

/** A global secondary index as DescribeTable shows it: its key attributes and what it projects. */
export interface IndexShape {
  readonly name: string;
  readonly keyAttributes: readonly string[];
  readonly projection: 'KEYS_ONLY' | 'INCLUDE' | 'ALL';
  /** Non-key attributes an INCLUDE projection copies. */
  readonly included?: readonly string[];
  /** The table's own key attributes (every index entry carries them). */
  readonly tableKeys: readonly string[];
}

/** What a PutItem wrote, as far as index maintenance depends on it. */
export interface PutShape {
  readonly table: string;
  readonly item: Item;
  /** Conditional on an existing item (not `attribute_not_exists`): it replaced one. */
  readonly replacing: boolean;
}

/** The PutItem's shape for {@link indexWriteUnits}; undefined for any other call. */
export function putShapeOf(action: string, body: Record<string, unknown>): PutShape | undefined {
  if (action !== 'PutItem' || typeof body.TableName !== 'string' || !body.Item) return undefined;
  const condition = typeof body.ConditionExpression === 'string' ? body.ConditionExpression : '';
  const replacing = condition.length > 0 && !/^\s*attribute_not_exists\(/.test(condition);
  return { table: body.TableName, item: body.Item as Item, replacing };
}

/**
 * Write units DynamoDB bills for keeping a table's global secondary indexes in step with one PutItem
 * (an index write costs like a table write of the projected item): a put into each index whose key
 * attributes the item carries, and, when the put replaced an item, the delete of its old entry. The
 * old item is not seen, so a replacing put is taken to move the entry (true for the order summaries,
 * whose index sorts on `updatedAt`). Approximation, said in the report.
 */
export function indexWriteUnits(put: PutShape, indexes: readonly IndexShape[]): number {
  let wru = 0;
  for (const index of indexes) {
    if (!index.keyAttributes.every((name) => put.item[name] !== undefined)) continue;
    const projected =
      index.projection === 'ALL'
        ? put.item
        : Object.fromEntries(
            Object.entries(put.item).filter(
              ([name]) =>
                index.keyAttributes.includes(name) ||
                index.tableKeys.includes(name) ||
                (index.projection === 'INCLUDE' && (index.included ?? []).includes(name)),
            ),
          );
    const units = writeUnits(itemSize(projected));
    wru += put.replacing ? 2 * units : units;
  }
  return wru;
}
