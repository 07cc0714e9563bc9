import { markdownTable } from '../cli/output.ts';
/**
 * The bench report: figures (one number each, with a unit and optionally the target it is compared
 * with) and free-form Markdown sections (tables of contributors, requests by API…). Nothing asserts:
 * a figure that misses its target is shown as such, a case that failed is an error row.
 */

/** One measured number. */
export interface Figure {
  readonly section: string;
  readonly name: string;
  /** `null` when the case failed; `error` then says why. */
  readonly value: number | null;
  readonly unit: string;
  readonly note?: string;
  /** Human-readable target, e.g. `≤ 300 KB`. */
  readonly target?: string;
  /** Whether the value meets the target; absent when there is no target. */
  readonly meets?: boolean;
  readonly error?: string;
}

/** A Markdown block placed after the figure table, e.g. a table of top bundle contributors. */
export interface ReportSection {
  readonly title: string;
  readonly markdown: string;
}

export interface BenchReport {
  readonly at: string;
  readonly node: string;
  readonly seconds: number;
  readonly figures: readonly Figure[];
  readonly sections: readonly ReportSection[];
}

/** Collects figures and sections; each recorded figure is also printed on stderr as it comes. */
export class ReportBuilder {
  readonly figures: Figure[] = [];
  readonly sections: ReportSection[] = [];
  private current = 'general';

  constructor(private readonly print: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  /** Starts a section of figures (a heading in the output). */
  begin(section: string, heading?: string): void {
    this.current = section;
    this.print(`▸ ${heading ?? section}`);
  }

  record(figure: Omit<Figure, 'section'>): void {
    const full = { section: this.current, ...figure };
    this.figures.push(full);
    const status = full.meets === undefined ? '' : full.meets ? ' ✓' : ` ✗ target ${full.target}`;
    const value = full.value === null ? `ERROR ${full.error ?? ''}` : `${full.value} ${full.unit}`;
    this.print(`  ${full.name}: ${value}${full.note ? ` (${full.note})` : ''}${status}`);
  }

  /** Records a failed case as an error row instead of letting it end the run. */
  error(name: string, error: unknown, unit = ''): void {
    this.record({ name, value: null, unit, error: describeError(error) });
  }

  section(title: string, markdown: string): void {
    this.sections.push({ title, markdown });
  }

  /** Runs one bench module; whatever it throws becomes an error row of its section. */
  async run(section: string, heading: string, work: () => Promise<void>): Promise<void> {
    this.begin(section, heading);
    try {
      await work();
    } catch (error) {
      this.error(`${section} (module failed)`, error);
    }
  }

  build(at: Date, seconds: number): BenchReport {
    return {
      at: at.toISOString(),
      node: process.version,
      seconds,
      figures: this.figures,
      sections: this.sections,
    };
  }
}

export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** `meets` for a "value ≤ limit" target. */
export const atMost = (value: number, limit: number): boolean => value <= limit;

function status(figure: Figure): string {
  if (figure.value === null) return 'error';
  if (figure.meets === undefined) return '';
  return figure.meets ? 'meets' : '**misses**';
}

/** The whole report as Markdown: one figure table grouped by section, then the extra sections. */
export function renderMarkdown(report: BenchReport): string {
  const rows = report.figures.map((f) => [
    f.section,
    f.name,
    f.value === null ? 'ERROR' : String(f.value),
    f.unit,
    f.target ?? '',
    status(f),
    f.value === null ? (f.error ?? '') : (f.note ?? ''),
  ]);
  return [
    `# Benchmark report (${report.at}, Node ${report.node}, ${report.seconds} s)`,
    '',
    markdownTable(['section', 'figure', '>value', 'unit', 'target', 'status', 'note'], rows),
    '',
    ...report.sections.flatMap((s) => [`## ${s.title}`, '', s.markdown, '']),
  ].join('\n');
}
