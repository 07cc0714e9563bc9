import { describe, expect, it } from 'vitest';
import { PRICES, type Prices } from '../../bench/cost/model.ts';
import {
  expressGbSeconds,
  floorItems,
  modelPeers,
  PEER_ASSUMPTIONS,
  type PeerAssumptions,
  peerArithmetic,
} from '../../bench/cost/peers.ts';
import { peersTable } from '../../bench/cost/render.ts';

const byDesign = (a: PeerAssumptions = PEER_ASSUMPTIONS, prices: Prices = PRICES) =>
  new Map(modelPeers(a, prices).map((p) => [p.design.replace(/ \(.*$|:.*$/, ''), p]));

describe('modelled peers', () => {
  it('prices the floor from the price file: 2 events, 3 tasks with logs and traces, 4 WRU', () => {
    // Act
    const floor = floorItems().reduce((s, i) => s + i.usdPerMillion, 0);

    // Assert: $2 events + $0.60 requests + $1.00 GB-s + $1.50 logs + $0.75 traces + $2.50 WRU
    expect(floor).toBeCloseTo(2 + 0.6 + 0.075 * 13.3334 + 1.5 + 0.75 + 2.5, 6);
    expect(floor).toBeGreaterThanOrEqual(7);
    expect(floor).toBeLessThanOrEqual(9);
  });

  it('charges Step Functions Standard $25/M per transition, 6 transitions per order, on top of the floor', () => {
    // Act
    const peers = byDesign();
    const floor = peers.get('floor')?.usdPerMillion ?? 0;
    const standard = peers.get('Step Functions Standard');

    // Assert
    expect(PEER_ASSUMPTIONS.standardTransitions).toHaveLength(6);
    expect(standard?.basis).toBe('modelled');
    expect(standard?.usdPerMillion).toBeCloseTo(floor + 6 * 25, 6);
    expect(standard?.items[0]?.arithmetic).toBe('6 transitions × $25/M = $150.00/M orders');
  });

  it('charges Express $1/M plus GB-s rounded up to 100 ms and 64 MB chunks', () => {
    // Act
    const peers = byDesign();
    const floor = peers.get('floor')?.usdPerMillion ?? 0;

    // Assert
    expect(expressGbSeconds(1000, 64)).toBeCloseTo(0.0625, 10);
    expect(expressGbSeconds(1001, 65)).toBeCloseTo(1.1 * 0.125, 10);
    expect(peers.get('Step Functions Express')?.usdPerMillion).toBeCloseTo(
      floor + 1 + 0.0625 * PRICES['stepfunctions.expressGbSecond'].usd * 1e6,
      6,
    );
  });

  it('adds the events between steps for choreography, and 3 SQS requests per task for the queued variant', () => {
    // Act
    const peers = [...modelPeers()];
    const floor = peers[0]?.usdPerMillion ?? 0;
    const plain = peers.find((p) => p.design === 'EventBridge → Lambda choreography');
    const queued = peers.find((p) => p.design.startsWith('EventBridge → SQS → Lambda'));

    // Assert
    expect(plain?.usdPerMillion).toBeCloseTo(floor + 2, 6);
    expect(queued?.usdPerMillion).toBeCloseTo(floor + 2 + 9 * 0.4, 6);
  });

  it('follows the price file and the assumptions it is given', () => {
    // Arrange
    const prices: Prices = {
      ...PRICES,
      'stepfunctions.standardTransition': { usd: 50, per: 1_000_000 },
    };
    const assumptions: PeerAssumptions = {
      ...PEER_ASSUMPTIONS,
      writeUnits: 0,
      standardTransitions: ['a', 'b'],
    };

    // Act
    const cheap = byDesign(assumptions, prices);
    const base = byDesign();

    // Assert
    const standard = (m: typeof base) =>
      (m.get('Step Functions Standard')?.usdPerMillion ?? 0) - (m.get('floor')?.usdPerMillion ?? 0);
    expect(standard(cheap)).toBeCloseTo(100, 6);
    expect((base.get('floor')?.usdPerMillion ?? 0) - (cheap.get('floor')?.usdPerMillion ?? 0)).toBeCloseTo(
      2.5,
      6,
    );
  });

  it('spells out the sum of a peer and renders the table with measured rows first', () => {
    // Arrange
    const peers = modelPeers();

    // Act
    const standard = peers.find((p) => p.design === 'Step Functions Standard');
    if (!standard) throw new Error('no Standard peer');
    const sum = peerArithmetic(standard);
    const table = peersTable(
      [{ label: 'this design, steady', usdPerMillion: 12.5, how: 'measured' }],
      peers,
      10,
      PEER_ASSUMPTIONS,
    );

    // Assert
    expect(sum).toMatch(/^6 transitions × \$25\/M \+ 2 events × \$1\/M \+ .* = \$158\.35\/M orders$/);
    const rows = table
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| design') && !l.startsWith('| ---'));
    expect(rows[0]).toContain('| this design, steady | measured |');
    expect(rows[0]).toContain('| 12.5 | no |');
    expect(rows.slice(1).every((r) => r.includes('| modelled |'))).toBe(true);
    expect(table).toContain('6 state transitions per order');
  });
});
