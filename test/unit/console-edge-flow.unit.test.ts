import { describe, expect, it } from 'vitest';
import { edgeFlow, edgeKey, patternMatcher } from '../../cli/console/edge-flow.ts';
import { topologyFromTemplate } from '../../cli/docs/topology.ts';
import type { TailedEvent } from '../../cli/ops/tail.ts';
import { exampleEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { pipelineTemplate } from './infra-fixture.ts';

const matches = (pattern: unknown, event: Record<string, unknown>) => patternMatcher(pattern)?.(event);

describe('EventBridge pattern matching for the console edge counts', () => {
  it('matches literal values, any of a list, and an array value when one element does', () => {
    expect(matches({ source: ['a', 'b'] }, { source: 'b' })).toBe(true);
    expect(matches({ source: ['a'] }, { source: 'c' })).toBe(false);
    expect(matches({ detail: { tags: ['x'] } }, { detail: { tags: ['w', 'x'] } })).toBe(true);
    expect(matches({ detail: { n: [5] } }, { detail: { n: 5 } })).toBe(true);
    expect(matches({ source: ['a'] }, {})).toBe(false);
  });

  it('matches prefix, suffix, exists and anything-but, nested fields included', () => {
    expect(matches({ source: [{ prefix: 'orders.' }] }, { source: 'orders.api' })).toBe(true);
    expect(matches({ source: [{ prefix: 'orders.' }] }, { source: 'shop.api' })).toBe(false);
    expect(matches({ source: [{ suffix: '.api' }] }, { source: 'orders.api' })).toBe(true);
    expect(matches({ 'replay-name': [{ exists: false }] }, {})).toBe(true);
    expect(matches({ 'replay-name': [{ exists: false }] }, { 'replay-name': 'r' })).toBe(false);
    expect(
      matches({ detail: { metadata: { mark: [{ exists: true }] } } }, { detail: { metadata: {} } }),
    ).toBe(false);
    expect(matches({ detail: { metadata: { mark: [{ exists: false }] } } }, { detail: {} })).toBe(true);
    expect(matches({ type: [{ 'anything-but': ['a', 'b'] }] }, { type: 'c' })).toBe(true);
    expect(matches({ type: [{ 'anything-but': 'a' }] }, { type: 'a' })).toBe(false);
  });

  it('evaluates no pattern that uses an operator it does not know, rather than guessing', () => {
    expect(patternMatcher({ detail: { total: [{ numeric: ['>', 5] }] } })).toBeUndefined();
    expect(patternMatcher({ source: [{ wildcard: 'orders.*' }] })).toBeUndefined();
    expect(patternMatcher(['not', 'an', 'object'])).toBeUndefined();
  });
});

describe('the edges an event travels on the deployed dev stack', () => {
  const topology = topologyFromTemplate(pipelineTemplate('dev').toJSON() as never);
  const flow = edgeFlow(topology);
  const labelOf = (id: string) => topology.nodes.find((n) => n.id === id)?.label;
  const targets = (edges: readonly string[]) =>
    edges.map((key) => labelOf(key.split(':')[1] as string)).filter((label) => label?.includes('Queue'));
  const placed = exampleEvent('OrderPlaced');
  const tailed: TailedEvent = {
    time: placed.time,
    type: placed.type,
    source: placed.source,
    id: placed.id,
    detail: placed,
  };

  it('sends a producer’s OrderPlaced along the saga’s intake rule to its queue', () => {
    const edges = flow(tailed);

    expect(targets(edges)).toContain('OrdersSagaWorkQueue');
    // Each counted edge is one the page draws.
    const drawn = new Set(topology.edges.map((e) => edgeKey(e.from, e.to)));
    for (const key of edges) expect(drawn.has(key)).toBe(true);
  });

  it('sends a replayed event to the replay staging queue only, never to a live consumer', () => {
    expect(targets(flow({ ...tailed, replayName: 'replay-1' }))).toEqual(['ReplaysStagingQueue']);
  });

  it('counts nothing for an event no rule takes', () => {
    expect(flow({ ...tailed, source: 'elsewhere.app', type: 'SomethingElse' })).toEqual([]);
  });
});
