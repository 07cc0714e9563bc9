import { describe, expect, it, vi } from 'vitest';
import { type PipelineRun, phases, pipelineEnv } from '../../bench/local-cloud.ts';
import { ReportBuilder, renderMarkdown } from '../../bench/report.ts';
import { markdownTable } from '../../cli/output.ts';

describe('bench report', () => {
  it('keeps a failed module as an error row and goes on', async () => {
    // Arrange
    const report = new ReportBuilder(() => {});

    // Act
    await report.run('broken', 'a module that throws', async () => {
      throw new Error('emulator went away');
    });
    await report.run('fine', 'a module that works', async () => {
      report.record({ name: 'size', value: 400, unit: 'KB', target: '≤ 300 KB', meets: false });
    });

    // Assert
    expect(report.figures).toHaveLength(2);
    expect(report.figures[0]).toMatchObject({ section: 'broken', value: null });
    expect(report.figures[0]?.error).toContain('emulator went away');
    expect(report.figures[1]).toMatchObject({ section: 'fine', value: 400, meets: false });
  });

  it('renders figures with their target status and the extra sections as Markdown', () => {
    // Arrange
    const report = new ReportBuilder(() => {});
    report.begin('bundles');
    report.record({ name: 'a | b', value: 1, unit: 'ms', target: '≤ 2 ms', meets: true });
    report.error('c', new Error('no'));
    report.section('Details', markdownTable(['name', '>n'], [['x', '1']]));

    // Act
    const markdown = renderMarkdown(report.build(new Date('2026-01-01T00:00:00Z'), 1));

    // Assert
    expect(markdown).toContain('| bundles | a \\| b | 1 | ms | ≤ 2 ms | meets |');
    expect(markdown).toContain('| bundles | c | ERROR |  |  | error | Error: no |');
    expect(markdown).toContain('## Details');
    expect(markdown).toContain('| --- | ---: |');
  });
});

describe('bench local clouds', () => {
  it('gives pipeline children their own instance and nothing that points elsewhere', () => {
    // Arrange
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:1');

    // Act
    const env = pipelineEnv('bench-x');

    // Assert
    expect(env.PIPELINE_CLOUD_INSTANCE).toBe('bench-x');
    expect(env.AWS_ENDPOINT_URL).toBeUndefined();
  });

  it('turns timed progress lines into step durations', () => {
    // Arrange
    const run: PipelineRun = {
      code: 0,
      stdout: '',
      stderr: '',
      ms: 10_000,
      steps: [
        { atMs: 1000, line: 'Starting MiniStack 1.5.33 on 127.0.0.1:4566 (log: x)' },
        { atMs: 4000, line: 'Deploying stack' },
      ],
    };

    // Act
    const text = phases(run);

    // Assert
    expect(text).toBe(
      'process start 1 s; Starting MiniStack 1.5.33 on 127.0.0.1:4566 3 s; Deploying stack 6 s',
    );
  });
});
