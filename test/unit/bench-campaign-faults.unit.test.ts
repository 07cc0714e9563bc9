import { describe, expect, it } from 'vitest';
import { type FaultCounts, faultChecks, tallyLogLine, transientShare } from '../../bench/campaign/faults.ts';

const zero = (): FaultCounts => ({ transient: 0, crashes: 0, handled: 0, duplicates: 0 });

describe('campaign fault accounting', () => {
  it('tallies the consumer runtime log lines it knows and ignores the rest', () => {
    // Arrange
    const counts = zero();
    const lines = [
      JSON.stringify({ message: 'record failed, will be retried', errorCode: 'INJECTED_FAULT' }),
      JSON.stringify({ message: 'record failed, will be retried', errorCode: 'THROTTLED' }),
      JSON.stringify({ message: 'injected fault: consumer stopped mid-batch' }),
      JSON.stringify({ message: 'event handled' }),
      JSON.stringify({ message: 'event handled' }),
      JSON.stringify({ message: 'duplicate event skipped' }),
      'REPORT RequestId: 1 Duration: 3 ms',
      '{not json',
    ];

    // Act
    for (const line of lines) tallyLogLine(line, counts);

    // Assert
    expect(counts).toEqual({ transient: 1, crashes: 1, handled: 2, duplicates: 1 });
    expect(transientShare(counts)).toBeCloseTo(0.5);
    expect(transientShare(zero())).toBe(0);
  });

  it('measures the share of records that failed first, not of deliveries, so redeliveries under load do not dilute it', () => {
    // 100 records, 12 failed once on purpose and were handled on their next delivery; load added 60
    // duplicate deliveries (re-puts, redelivered batches) that the fault never applies to.
    const counts: FaultCounts = { transient: 12, crashes: 1, handled: 100, duplicates: 60 };

    expect(transientShare(counts)).toBeCloseTo(0.12);
    expect(faultChecks({ transient: 0.12, crash: 0 }, counts, { asked: false })[0]?.failures).toEqual([]);
  });

  it('passes when every fault asked for happened', () => {
    // Act
    const [check] = faultChecks(
      { transient: 0.1, crash: 0.02 },
      { transient: 10, crashes: 2, handled: 80, duplicates: 10 },
      { asked: true, done: { consumer: 'inventory', mappings: 1, stoppedForSeconds: 30 } },
    );

    // Assert
    expect(check?.severity).toBe('violation');
    expect(check?.checked).toBe(3);
    expect(check?.failures).toEqual([]);
  });

  it('fails when a fault asked for did not happen', () => {
    // Act
    const [check] = faultChecks(
      { transient: 0.2, crash: 0.02 },
      { transient: 5, crashes: 0, handled: 95, duplicates: 0 },
      { asked: true },
    );

    // Assert
    expect(check?.failures).toEqual([
      'transient failures hit 5.3 % of records, asked for 20 %',
      'no batch was stopped mid-batch',
      'the consumer was not stopped',
    ]);
  });
});
