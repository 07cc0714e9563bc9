/**
 * How commands talk to people and scripts: progress and diagnostics go to stderr, results to stdout.
 * With `--json` stdout carries exactly one JSON document, so `pipeline … --json | jq` always works.
 */
export interface Reporter {
  readonly json: boolean;
  /** A step of a long operation ("Installing MiniStack 1.5.33 …"). */
  step(message: string): void;
  /** Extra detail, shown only with --verbose. */
  detail(message: string): void;
  /** Something was changed on the user's behalf that they should know about. */
  warn(message: string): void;
  /** The command's result: JSON in --json mode, otherwise the human rendering. */
  result(value: unknown, human: () => string): void;
}

export function createReporter(options: { json?: boolean; verbose?: boolean } = {}): Reporter {
  const json = options.json ?? false;
  const verbose = options.verbose ?? false;
  return {
    json,
    step: (message) => process.stderr.write(`▸ ${message}\n`),
    detail: (message) => {
      if (verbose) process.stderr.write(`  ${message}\n`);
    },
    warn: (message) => process.stderr.write(`! ${message}\n`),
    result: (value, human) => {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
  };
}

/** An error a user can act on: `hint` says what to do next. Exit code 1 unless told otherwise. */
export class CliError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, hint?: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.hint = hint;
    this.exitCode = exitCode;
  }
}

/** Formats a small table with padded columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Renders a Markdown table (a `>` before a header right-aligns its column); cells are escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const align = header.map((h) => (h.startsWith('>') ? '---:' : '---'));
  const names = header.map((h) => h.replace(/^>/, ''));
  return [
    `| ${names.map(markdownCell).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(markdownCell).join(' | ')} |`),
  ].join('\n');
}
