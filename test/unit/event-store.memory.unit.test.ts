import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import { storeStoredEventCheck } from '../../shared/kit/event-store/stored-check.ts';
import { describeEventStoreContract } from '../contract/event-store.contract.ts';
import { describeStoredCheckContract } from '../contract/stored-check.contract.ts';

describeEventStoreContract('in-memory', async (options = {}) => ({ store: new InMemoryEventStore(options) }));

describeStoredCheckContract('in-memory', async () => {
  const store = new InMemoryEventStore();
  return { store, check: storeStoredEventCheck(store, ordersCatalog) };
});
