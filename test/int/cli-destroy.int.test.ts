import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { type EnvChanges, runCli } from '../support/cli.ts';

/** Runs the real CLI without a terminal, with a project-local area of its own (no local cloud in it). */
function pipeline(args: string[], env: EnvChanges) {
  return runCli(
    args,
    {
      AWS_ENDPOINT_URL: undefined,
      PIPELINE_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'pipeline-destroy-')),
      PIPELINE_CLOUD_INSTANCE: `destroy-${process.pid}`,
      ...env,
    },
    60_000,
  );
}

/** Credentials as a developer's shell has them: a `down` that reached for AWS would use them. */
const awsShell = {
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE12',
  AWS_SECRET_ACCESS_KEY: 'example',
  AWS_REGION: 'eu-west-1',
};

describe('nothing destructive by default', () => {
  it('`down` with no local cloud running stops nothing and never reaches for AWS, even with credentials in the shell', () => {
    const run = pipeline(['down'], awsShell);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/No local cloud was running; nothing was stopped/);
    expect(run.stdout).toMatch(/removed only by `pipeline destroy`/);
    expect(run.stderr).not.toMatch(/Destroying/);
  });

  it('`destroy` in a script without --yes names the account, region and stack, and removes nothing', () => {
    const run = pipeline(['destroy', '--stack', 'OrderPipeline-nothere'], {
      AWS_ENDPOINT_URL: inject('endpoint'),
    });

    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `error: Not destroying stack OrderPipeline-nothere (stage dev) on AWS_ENDPOINT_URL ${inject('endpoint')} (account 000000000000, us-east-1) without confirmation`,
    );
    expect(run.stderr).toMatch(/→ Add --yes/);
    expect(run.stderr).not.toMatch(/Destroying stack/);
  });

  it('`destroy` refuses a prod stage without --allow-prod, --yes or not', () => {
    const run = pipeline(['destroy', '--stage', 'prod', '--yes'], { AWS_ENDPOINT_URL: inject('endpoint') });

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/error: Refusing to destroy a prod stage: stack OrderPipeline-prod/);
    expect(run.stderr).toMatch(/--allow-prod/);
  });
});
