/**
 * `npm run lint:templates`: cfn-lint and checkov over the dev and prod templates, as `cdk synth`
 * builds them. Any finding fails (cfn-lint errors and warnings alike, any failed checkov check); a
 * finding that is accepted is ignored on its resource in the CDK code, with the reason beside it
 * (Metadata `cfn-lint`, `checkov.skip`). Both are pinned and installed together into
 * `.local/venv-lint` on first use, like the emulator: their dependencies agree, and one pip resolve
 * keeps them so (a bump that conflicts fails the install; then give checkov a venv of its own).
 * Measured on 2 shared cores: both into a fresh venv ~150 s (checkov alone into its own venv 90 s),
 * 417 MB; a run without the install ~35 s, of which checkov ~12 s for both templates.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { findPython } from '../../cli/cloud/ministack.ts';
import { localDir } from '../../cli/paths.ts';
import { pipelineStack } from '../unit/infra-fixture.ts';

/** The cfn-lint release the templates are checked with. Bump deliberately and re-run. */
export const CFN_LINT_VERSION = '1.58.0';
/** The checkov release the templates are checked with. Bump deliberately and re-run. */
export const CHECKOV_VERSION = '3.3.30';

const PINNED = { 'cfn-lint': CFN_LINT_VERSION, checkov: CHECKOV_VERSION } as const;

const venv = `${localDir}/venv-lint`;
const cfnLint = `${venv}/bin/cfn-lint`;
const checkovBin = `${venv}/bin/checkov`;

/** One cfn-lint finding, as its JSON output gives it. */
export interface LintFinding {
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Start: { readonly LineNumber: number } };
}

const step = (message: string) => process.stderr.write(`▸ ${message}\n`);

/** Whether the venv holds exactly the pinned releases of both tools. */
function installedAsPinned(): boolean {
  if (!existsSync(`${venv}/bin/python`)) return false;
  const probe = spawnSync(
    `${venv}/bin/python`,
    [
      '-c',
      'import importlib.metadata as m, sys; print(" ".join(m.version(n) for n in sys.argv[1:]))',
      ...Object.keys(PINNED),
    ],
    { encoding: 'utf8' },
  );
  return probe.status === 0 && probe.stdout.trim() === Object.values(PINNED).join(' ');
}

function install(): void {
  step(`Installing cfn-lint ${CFN_LINT_VERSION} and checkov ${CHECKOV_VERSION} into ${venv}`);
  const python = findPython();
  const run = (command: string, args: string[]) => {
    const result = spawnSync(command, args, { stdio: 'inherit' });
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(' ')} failed; remove ${venv} and run again`);
    }
  };
  if (!existsSync(`${venv}/bin/python`)) run(python, ['-m', 'venv', venv]);
  run(`${venv}/bin/python`, [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--quiet',
    ...Object.entries(PINNED).map(([name, version]) => `${name}==${version}`),
  ]);
}

/** Writes the templates `cdk synth -c stage=<stage>` would (assets by hash, not bundled). */
function synthesize(): string[] {
  const dir = `${localDir}/templates`;
  mkdirSync(dir, { recursive: true });
  return (['dev', 'prod'] as const).map((stage) => {
    const file = `${dir}/OrderPipeline-${stage}.template.json`;
    writeFileSync(file, JSON.stringify(Template.fromStack(pipelineStack(stage)).toJSON(), null, 1));
    return file;
  });
}

/** Findings of cfn-lint over `files` (its exit status says only whether there were any). */
export function lint(files: readonly string[]): LintFinding[] {
  const result = spawnSync(cfnLint, ['--format', 'json', ...files], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const text = result.stdout.trim();
  if (result.error || (text === '' && result.status !== 0)) {
    throw new Error(`cfn-lint did not run: ${result.error?.message ?? result.stderr}`);
  }
  return text === '' ? [] : (JSON.parse(text) as LintFinding[]);
}

/** One checkov check result, as its JSON output gives it (the fields read here). */
export interface CheckovResult {
  readonly check_id: string;
  readonly check_name: string;
  readonly resource: string;
  readonly file_abs_path: string;
}

/** checkov's results over the templates, by template file: passed, failed, skipped. */
export interface CheckovReport {
  readonly file: string;
  readonly passed: readonly CheckovResult[];
  readonly failed: readonly CheckovResult[];
  readonly skipped: readonly CheckovResult[];
}

/**
 * checkov (CloudFormation checks only) over `files`, one run for all, split by file. Offline: no
 * policy download, no guideline lookup (both call a vendor API this project neither needs nor can
 * reach in CI); a parsing error is an error, not a pass.
 */
export function checkov(files: readonly string[]): CheckovReport[] {
  const result = spawnSync(
    checkovBin,
    [
      '--framework',
      'cloudformation',
      '--output',
      'json',
      '--skip-download',
      ...files.flatMap((f) => ['--file', f]),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, BC_SKIP_MAPPING: 'TRUE' },
    },
  );
  const text = result.stdout.trim();
  if (result.error || text === '') {
    throw new Error(`checkov did not run: ${result.error?.message ?? result.stderr}`);
  }
  const parsed = JSON.parse(text) as {
    results: Partial<
      Record<'passed_checks' | 'failed_checks' | 'skipped_checks' | 'parsing_errors', unknown[]>
    >;
  };
  const { passed_checks = [], failed_checks = [], skipped_checks = [], parsing_errors = [] } = parsed.results;
  if (parsing_errors.length > 0)
    throw new Error(`checkov could not parse: ${JSON.stringify(parsing_errors)}`);
  const of = (list: unknown[], file: string) =>
    (list as CheckovResult[]).filter((r) => resolve(r.file_abs_path) === resolve(file));
  return files.map((file) => ({
    file,
    passed: of(passed_checks, file),
    failed: of(failed_checks, file),
    skipped: of(skipped_checks, file),
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  if (!installedAsPinned()) install();
  step('Synthesizing the dev and prod templates');
  const files = synthesize();
  step(`cfn-lint ${CFN_LINT_VERSION} over ${files.length} templates`);
  const findings = lint(files);
  for (const f of findings) {
    process.stderr.write(`  ${f.Rule.Id} ${f.Filename}:${f.Location.Start.LineNumber} ${f.Message}\n`);
  }
  step(`checkov ${CHECKOV_VERSION} over ${files.length} templates`);
  const reports = checkov(files);
  for (const report of reports) {
    for (const f of report.failed) {
      process.stderr.write(`  ${f.check_id} ${f.resource} ${f.check_name}\n`);
    }
    process.stderr.write(
      `  checkov ${basename(report.file)}: ${report.passed.length} passed, ${report.failed.length} failed, ${report.skipped.length} skipped\n`,
    );
  }
  const failedChecks = reports.reduce((n, r) => n + r.failed.length, 0);
  const seconds = Math.round((Date.now() - started) / 1000);
  if (findings.length > 0) {
    process.stderr.write(
      `✗ ${findings.length} cfn-lint finding(s): fix them, or ignore one on its resource in the CDK code (Metadata "cfn-lint") with the reason beside it\n`,
    );
  }
  if (failedChecks > 0) {
    process.stderr.write(
      `✗ ${failedChecks} failed checkov check(s): fix them, or skip one in the construct that owns the resource (skipCheckov, infra/constructs/checkov.ts) with the reason, and extend infra-lint-suppressions.unit.test.ts\n`,
    );
  }
  if (findings.length > 0 || failedChecks > 0) {
    process.stderr.write(`✗ template lint failed in ${seconds} s\n`);
    process.exit(1);
  }
  step(`cfn-lint and checkov: no finding in ${files.join(', ')} (${seconds} s)`);
}
