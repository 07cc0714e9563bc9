import { InvalidArgumentError } from 'commander';

/** Bounds of a numeric option; `integer` refuses fractions. */
export interface NumberBounds {
  readonly min: number;
  readonly max?: number;
  readonly integer?: boolean;
}

/**
 * A commander `argParser` for a numeric option: `NaN`, text, fractions (when `integer`), and values
 * out of range are refused before the command runs; commander names the option in the error
 * ("option '--max <n>' argument 'abc' is invalid. …") and exits 1.
 */
export function numberIn(bounds: NumberBounds): (raw: string) => number {
  const { min, max, integer = true } = bounds;
  const range = max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
  const kind = integer ? 'a whole number' : 'a number';
  return (raw: string) => {
    const value = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value)))
      throw new InvalidArgumentError(`Expected ${kind} ${range}.`);
    if (value < min || (max !== undefined && value > max))
      throw new InvalidArgumentError(`Expected ${kind} ${range}, got ${value}.`);
    return value;
  };
}

/** A TCP port. */
export const portNumber = numberIn({ min: 1, max: 65_535 });
