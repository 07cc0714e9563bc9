import type { EventFactoryDeps } from '../../shared/kit/events/catalog.ts';

/** A clock that moves only when told to, plus sequential ids: deterministic events in tests. */
export class ManualClock implements EventFactoryDeps {
  private current: number;
  private counter = 0;

  constructor(start = '2026-11-22T10:00:00.000Z') {
    this.current = Date.parse(start);
  }

  readonly now = (): Date => new Date(this.current);

  readonly newId = (): string => {
    this.counter += 1;
    return `id-${String(this.counter).padStart(5, '0')}`;
  };

  advance(ms: number): void {
    this.current += ms;
  }

  set(time: Date | number): void {
    this.current = typeof time === 'number' ? time : time.getTime();
  }
}
