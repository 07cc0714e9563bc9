/**
 * What crypto-shredding adds per order (docs/personal-data.md): the keys table's reads and writes,
 * modelled (quantity × bench/prices.json), and the CPU of encrypting and decrypting a contact,
 * measured in process (AES-256-GCM through node:crypto, on this machine).
 *
 * Per order, the key is read by the intake that encrypts (the saga's queue or the API function:
 * GetItem, strongly consistent, 1 RRU; a new customer adds the conditional PutItem, 1 WRU) and by
 * each notification channel the customer chose (GetItem, 1 RRU). Keys are cached per execution
 * environment for the TTL (60 s), so a returning customer within it costs nothing.
 */
import { performance } from 'node:perf_hooks';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { protectEvent, revealEvent } from '../../shared/kit/personal-data/protect.ts';
import { InMemorySubjectKeys } from '../../shared/kit/personal-data/subject-keys.ts';
import { PRICES, type Prices } from './model.ts';
import { item, type Peer } from './peers.ts';

/** The cases modelled: what each costs in reads and writes of the keys table. */
export const PERSONAL_DATA_CASES = [
  { label: 'new customer (key created), 1 channel', reads: 2, writes: 1 },
  { label: 'returning customer, caches cold, 1 channel', reads: 2, writes: 0 },
  { label: 'returning customer, caches cold, 3 channels', reads: 4, writes: 0 },
  { label: 'returning customer within the cache TTL', reads: 0, writes: 0 },
] as const;

/** The keys table's part of each case, priced. */
export function modelPersonalData(prices: Prices = PRICES): Peer[] {
  return PERSONAL_DATA_CASES.map(({ label, reads, writes }) => {
    const items = [
      ...(reads === 0
        ? []
        : [
            item(
              prices,
              'keys table GetItem (strongly consistent)',
              reads,
              'dynamodb.readRequestUnit',
              'RRU',
            ),
          ]),
      ...(writes === 0
        ? []
        : [
            item(
              prices,
              'keys table conditional PutItem (new key)',
              writes,
              'dynamodb.writeRequestUnit',
              'WRU',
            ),
          ]),
    ];
    return {
      design: label,
      basis: 'modelled' as const,
      items,
      usdPerMillion: items.reduce((sum, i) => sum + i.usdPerMillion, 0),
    };
  });
}

/** Measured: µs to encrypt an OrderPlaced's contact at intake and decrypt it at a channel, per order. */
export async function measureCipherMicros(
  orders = 2000,
): Promise<{ protectMicros: number; revealMicros: number }> {
  const keys = new InMemorySubjectKeys();
  const events = Array.from({ length: orders }, (_, i) =>
    ordersCatalog.example('OrderPlaced', { correlationId: `bench-${i}` }),
  );
  for (const event of events.slice(0, 100))
    await revealEvent(ordersCatalog, await protectEvent(ordersCatalog, event, keys), keys);
  let started = performance.now();
  const sealed = [];
  for (const event of events) sealed.push(await protectEvent(ordersCatalog, event, keys));
  const protectMicros = ((performance.now() - started) * 1000) / orders;
  started = performance.now();
  for (const event of sealed) await revealEvent(ordersCatalog, event, keys);
  const revealMicros = ((performance.now() - started) * 1000) / orders;
  return { protectMicros, revealMicros };
}
