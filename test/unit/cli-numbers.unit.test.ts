import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { numberIn, portNumber } from '../../cli/commands/numbers.ts';

/** Parses `args` with one option using `parse`, answering the value or commander's error text. */
function parse(parseOption: (raw: string) => number, args: string[]): number | string {
  let error = '';
  const program = new Command('t')
    .exitOverride()
    .configureOutput({ writeErr: (text) => (error += text), writeOut: () => {} })
    .option('--max <n>', 'how many', parseOption);
  try {
    program.parse(args, { from: 'user' });
  } catch {
    return error.trim();
  }
  return program.opts<{ max: number }>().max;
}

describe('numeric options are parsed by the CLI framework', () => {
  const count = numberIn({ min: 1, max: 1000 });

  it('takes whole numbers within range', () => {
    expect(parse(count, ['--max', '25'])).toBe(25);
    expect(parse(portNumber, ['--max', '4566'])).toBe(4566);
  });

  it.each([
    ['abc', "error: option '--max <n>' argument 'abc' is invalid. Expected a whole number from 1 to 1000."],
    ['NaN', "error: option '--max <n>' argument 'NaN' is invalid. Expected a whole number from 1 to 1000."],
    ['', "error: option '--max <n>' argument '' is invalid. Expected a whole number from 1 to 1000."],
    ['2.5', "error: option '--max <n>' argument '2.5' is invalid. Expected a whole number from 1 to 1000."],
    [
      '-3',
      "error: option '--max <n>' argument '-3' is invalid. Expected a whole number from 1 to 1000, got -3.",
    ],
    [
      '1001',
      "error: option '--max <n>' argument '1001' is invalid. Expected a whole number from 1 to 1000, got 1001.",
    ],
  ])('refuses %j, naming the option', (raw, message) => {
    expect(parse(count, ['--max', raw])).toBe(message);
  });

  it('takes fractions where the option allows them, and no upper bound unless given', () => {
    const rate = numberIn({ min: 0.01, integer: false });
    expect(parse(rate, ['--max', '0.5'])).toBe(0.5);
    expect(parse(rate, ['--max', '0'])).toBe(
      "error: option '--max <n>' argument '0' is invalid. Expected a number ≥ 0.01, got 0.",
    );
    expect(parse(rate, ['--max', 'Infinity'])).toMatch(/Expected a number ≥ 0.01\.$/);
  });
});
