import { describe, expect, it } from 'vitest';
import { EventStoreTable, MAX_STREAM_READERS } from '../../infra/constructs/event-store-table.ts';
import { StoreStreamConsumer } from '../../infra/constructs/store-stream-consumer.ts';
import { stageSettings } from '../../infra/stages.ts';
import { testStack } from './infra-fixture.ts';

describe('infra: readers of the event store stream', () => {
  it('refuses a third reader of the stream at synth, where DynamoDB would throttle it in production', () => {
    // Arrange: two readers, as the outbox and the projector are, are what a shard serves.
    const stack = testStack();
    const stage = stageSettings('dev');
    const eventStore = new EventStoreTable(stack, 'Store', { stage });
    new StoreStreamConsumer(stack, 'Outbox', { entry: 'functions/projector/handler.ts', stage, eventStore });
    new StoreStreamConsumer(stack, 'View', { entry: 'functions/projector/handler.ts', stage, eventStore });

    // Act
    const third = () =>
      new StoreStreamConsumer(stack, 'Another', {
        entry: 'functions/projector/handler.ts',
        stage,
        eventStore,
      });

    // Assert
    expect(MAX_STREAM_READERS).toBe(2);
    expect(third).toThrow(
      /already has 2 readers \(ConstructTest\/Outbox, ConstructTest\/View\); a third would be throttled/,
    );
  });

  it('refuses a batch size or window the stream mapping cannot take', () => {
    const stack = testStack();
    const stage = stageSettings('dev');
    const eventStore = new EventStoreTable(stack, 'Store', { stage });
    expect(
      () =>
        new StoreStreamConsumer(stack, 'View', {
          entry: 'functions/projector/handler.ts',
          stage,
          eventStore,
          batchSize: 10_001,
        }),
    ).toThrow('View: batchSize must be between 1 and 10000, got 10001');
  });
});
