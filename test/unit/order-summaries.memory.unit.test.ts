import { InMemoryOrderSummaryRepository } from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { describeOrderSummaryRepositoryContract } from '../contract/order-summary-repository.contract.ts';

describeOrderSummaryRepositoryContract('in memory', async () => new InMemoryOrderSummaryRepository());
