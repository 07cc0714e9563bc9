import { describe, expect, it } from 'vitest';
import { INTAKE_ASSUMPTIONS, modelIntakePaths } from '../../bench/cost/intake-paths.ts';
import { PRICES } from '../../bench/cost/model.ts';

describe('bench: an order placed through the HTTP API next to one put on the bus (modelled)', () => {
  const [putEvents, noWait, twoSeconds, fullWait] = modelIntakePaths();

  it('labels every path modelled and adds its lines up to its total', () => {
    for (const path of modelIntakePaths()) {
      expect(path.basis).toBe('modelled');
      expect(path.usdPerMillion).toBeCloseTo(
        path.items.reduce((sum, i) => sum + i.usdPerMillion, 0),
        10,
      );
    }
  });

  it('prices the PutEvents path as one bus entry, three SQS requests and one 100 ms saga invocation', () => {
    const expected = 1 + 3 * 0.4 + 0.2 + 0.1 * 0.25 * PRICES['lambda.gbSecondArm64'].usd * 1e6;

    expect(putEvents?.usdPerMillion).toBeCloseTo(expected, 6);
  });

  it('prices a POST without a wait at the API request, one invocation and no poll', () => {
    expect(noWait?.items.map((i) => i.what)).not.toContain(expect.stringContaining('polls'));
    expect(noWait?.usdPerMillion).toBeCloseTo(1 + 0.2 + 0.1 * 0.25 * 13.3334, 3);
  });

  it('grows with the seconds waited: 4 polls and 0.25 GB-s per second', () => {
    const perSecond = 4 * PRICES['dynamodb.readRequestUnit'].usd + 0.25 * 13.3334;
    const waited = INTAKE_ASSUMPTIONS.waits.map((w) => w.seconds);

    expect(waited).toEqual([0, 2, 10]);
    expect((twoSeconds?.usdPerMillion ?? 0) - (noWait?.usdPerMillion ?? 0)).toBeCloseTo(2 * perSecond, 3);
    expect((fullWait?.usdPerMillion ?? 0) - (noWait?.usdPerMillion ?? 0)).toBeCloseTo(10 * perSecond, 3);
  });
});
