import { InMemoryEventStore } from '../../shared/event-store/in-memory.ts';
import { describeEventStoreContract } from '../contract/event-store.contract.ts';

describeEventStoreContract('in-memory', async (options = {}) => ({ store: new InMemoryEventStore(options) }));
