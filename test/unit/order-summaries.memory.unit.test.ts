import { describeOrderSummaryRepositoryContract } from '../contract/order-summary-repository.contract.ts';
import { InMemoryOrderSummaryRepository } from '../fakes/orders.ts';

describeOrderSummaryRepositoryContract('in memory', async () => new InMemoryOrderSummaryRepository());
