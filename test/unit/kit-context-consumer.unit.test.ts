import { beforeEach, describe, expect, it, vi } from 'vitest';
import { contextConsumer } from '../../shared/kit/consumer/production.ts';
import { shopCatalog } from '../fakes/test-context.ts';

describe("a declared context's Lambda handler (contextConsumer)", () => {
  beforeEach(() => {
    vi.stubEnv('QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/shop-cart');
    vi.stubEnv('DLQ_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/shop-cart-dlq');
    vi.stubEnv('TABLE_NAME', 'events');
    vi.stubEnv('AWS_REGION', 'us-east-1');
  });

  it('names the consumer <context>-<name> and subscribes it to exactly its handlers', () => {
    // Act
    const handler = contextConsumer(shopCatalog, 'cart', () => ({
      ItemAdded: async () => 'handled' as const,
      ItemRemoved: async () => 'handled' as const,
    }));

    // Assert
    expect(handler.consumerName).toBe('shop-cart');
    expect([...handler.eventTypes].sort()).toEqual(['ItemAdded', 'ItemRemoved']);
  });

  it('fails at cold start, naming the variable, when the event store table is not configured', () => {
    vi.stubEnv('TABLE_NAME', undefined);

    expect(() =>
      contextConsumer(shopCatalog, 'cart', () => ({ ItemAdded: async () => 'handled' as const })),
    ).toThrow(/TABLE_NAME/);
  });
});
