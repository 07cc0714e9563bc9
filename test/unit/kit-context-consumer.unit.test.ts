import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextConsumer } from '../../shared/kit/consumer/production.ts';
import { shopCatalog } from '../fakes/test-context.ts';

describe("a declared context's Lambda handler (contextConsumer)", () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/shop-cart';
    process.env.DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/shop-cart-dlq';
    process.env.TABLE_NAME = 'events';
    process.env.AWS_REGION = 'us-east-1';
  });
  afterEach(() => {
    process.env = { ...saved };
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
    delete process.env.TABLE_NAME;

    expect(() =>
      contextConsumer(shopCatalog, 'cart', () => ({ ItemAdded: async () => 'handled' as const })),
    ).toThrow(/TABLE_NAME/);
  });
});
