/**
 * `npm run lint:templates`: cfn-lint over the dev and prod templates, as `cdk synth` builds them. Any
 * finding fails (errors and warnings alike); a finding that is accepted is ignored on its resource in
 * the CDK code, with the reason beside it. cfn-lint is pinned and installed into `.local/venv-lint`
 * on first use, like the emulator.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { findPython } from '../../cli/cloud/ministack.ts';
import { localDir } from '../../cli/paths.ts';
import { pipelineStack } from '../unit/infra-fixture.ts';

/** The cfn-lint release the templates are checked with. Bump deliberately and re-run. */
export const CFN_LINT_VERSION = '1.58.0';

const venv = `${localDir}/venv-lint`;
const cfnLint = `${venv}/bin/cfn-lint`;

/** One cfn-lint finding, as its JSON output gives it. */
export interface LintFinding {
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Start: { readonly LineNumber: number } };
}

const step = (message: string) => process.stderr.write(`▸ ${message}\n`);

function installedVersion(): string | undefined {
  if (!existsSync(cfnLint)) return undefined;
  const probe = spawnSync(cfnLint, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim().replace(/^cfn-lint\s+/, '') : undefined;
}

function install(): void {
  step(`Installing cfn-lint ${CFN_LINT_VERSION} into ${venv}`);
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
    `cfn-lint==${CFN_LINT_VERSION}`,
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  if (installedVersion() !== CFN_LINT_VERSION) install();
  step('Synthesizing the dev and prod templates');
  const files = synthesize();
  step(`cfn-lint ${CFN_LINT_VERSION} over ${files.length} templates`);
  const findings = lint(files);
  for (const f of findings) {
    process.stderr.write(`  ${f.Rule.Id} ${f.Filename}:${f.Location.Start.LineNumber} ${f.Message}\n`);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  if (findings.length > 0) {
    process.stderr.write(
      `✗ ${findings.length} cfn-lint finding(s) in ${seconds} s: fix them, or ignore one on its resource in the CDK code (Metadata "cfn-lint") with the reason beside it\n`,
    );
    process.exit(1);
  }
  step(`cfn-lint: no finding in ${files.join(', ')} (${seconds} s)`);
}
