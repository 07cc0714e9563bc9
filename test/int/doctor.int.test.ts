import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListArchivesCommand, ListEventBusesCommand } from '@aws-sdk/client-eventbridge';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { ListEventSourceMappingsCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveTarget } from '../../cli/cloud/target.ts';
import { allChecks } from '../../cli/doctor/checks/index.ts';
import { doctorClients } from '../../cli/doctor/clients.ts';
import type { DoctorReport } from '../../cli/doctor/report.ts';
import { type CliRun, type EnvChanges, runCliAsync } from '../support/cli.ts';
import { conformance, lambdaUnavailable } from './conformance.support.ts';
import { deleteCreatedStacks } from './conformance-resources.support.ts';

// The Lambda probe's stack, when this file ran it.
afterAll(deleteCreatedStacks);

/** Runs the real CLI in a child process against the int tier's emulator (or with the given changes). */
function pipeline(
  args: string[],
  options: { env?: EnvChanges; onStderr?: (text: string, interrupt: () => void) => void } = {},
): Promise<CliRun> {
  const env = options.env ?? {
    AWS_ENDPOINT_URL: inject('endpoint'),
    PIPELINE_CLOUD_INSTANCE: `doctor-int-${process.pid}`,
  };
  return runCliAsync(args, env, 110_000, options.onStderr);
}

/** Every probe resource (named doctor-*) still present on the emulator. */
async function doctorLeftovers(): Promise<string[]> {
  const c = doctorClients(resolveTarget({ ...process.env, AWS_ENDPOINT_URL: inject('endpoint') }));
  const isProbe = (name: string | undefined) => (name ?? '').includes('doctor-');
  const [queues, topics, buses, archives, tables, functions, mappings, roles, stacks] = await Promise.all([
    c.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'doctor-' })),
    c.sns.send(new ListTopicsCommand({})),
    c.events.send(new ListEventBusesCommand({ NamePrefix: 'doctor-' })),
    c.events.send(new ListArchivesCommand({ NamePrefix: 'doctor-' })),
    c.dynamodb.send(new ListTablesCommand({})),
    c.lambda.send(new ListFunctionsCommand({})),
    c.lambda.send(new ListEventSourceMappingsCommand({})),
    c.iam.send(new ListRolesCommand({})),
    c.cloudformation.send(new ListStacksCommand({})),
  ]);
  const found = [
    ...(queues.QueueUrls ?? []),
    ...(topics.Topics ?? []).map((t) => t.TopicArn).filter(isProbe),
    ...(buses.EventBuses ?? []).map((b) => `bus ${b.Name}`),
    ...(archives.Archives ?? []).map((a) => `archive ${a.ArchiveName}`),
    ...(tables.TableNames ?? []).filter(isProbe),
    ...(functions.Functions ?? []).map((f) => f.FunctionName).filter(isProbe),
    ...(mappings.EventSourceMappings ?? []).map((m) => m.FunctionArn).filter(isProbe),
    ...(roles.Roles ?? []).map((r) => r.RoleName).filter(isProbe),
    ...(stacks.StackSummaries ?? [])
      .filter((s) => isProbe(s.StackName) && s.StackStatus !== 'DELETE_COMPLETE')
      .map((s) => `stack ${s.StackName} ${s.StackStatus}`),
  ];
  return found.filter((name): name is string => name !== undefined);
}

/** Checks that run a Lambda function: they fail, rightly, on an endpoint that cannot run one. */
const NEEDS_LAMBDA = ['lambda-sqs-batch'];

describe('pipeline doctor against the int tier’s endpoint', () => {
  let run: CliRun;
  let report: DoctorReport;
  let noLambda: string | undefined;
  const byId = (id: string) => report.checks.find((c) => c.id === id);

  beforeAll(async () => {
    [run, noLambda] = await Promise.all([pipeline(['doctor', '--json']), lambdaUnavailable()]);
    report = JSON.parse(run.stdout) as DoctorReport;
  }, 120_000);

  it('reports every check with a result and prints a progress line for each', () => {
    expect(report.checks.map((c) => c.id)).toEqual(allChecks.map((c) => c.id));
    for (const check of report.checks) {
      expect(['PASS', 'FAIL', 'WARN', 'SKIP']).toContain(check.status);
      expect(check.seconds).toBeGreaterThanOrEqual(0);
      expect(check.breaks.length).toBeGreaterThan(10);
      expect(run.stderr).toMatch(new RegExp(`\\] ${check.status} ${check.id} \\(`));
    }
  });

  it('passes every required check (those running a Lambda only where the endpoint can run one)', async (context) => {
    const excluded = noLambda === undefined ? [] : NEEDS_LAMBDA;
    if (excluded.length > 0)
      await context.annotate(`not required here (${noLambda}): ${excluded.join(', ')}`, 'notice');
    const required = report.checks.filter((c) => c.severity === 'required' && !excluded.includes(c.id));
    expect(required.filter((c) => c.status !== 'PASS').map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    expect(required.length).toBeGreaterThanOrEqual(10);
  });

  it('exits 1 exactly when a required check failed', () => {
    expect(report.ok).toBe(report.checks.every((c) => c.status !== 'FAIL'));
    expect(run.status).toBe(report.ok ? 0 : 1);
  });

  it('deletes every probe resource it created (a Lambda check’s, only where functions can run)', async (context) => {
    // Where no function can run, deleting the failed one can fail as well (LocalStack on the host).
    const excused = (name: string) =>
      noLambda !== undefined && NEEDS_LAMBDA.some((id) => name.includes(`doctor-${id}-`));
    const reported = report.checks.filter((c) => !(noLambda !== undefined && NEEDS_LAMBDA.includes(c.id)));
    const left = await doctorLeftovers();
    if (left.some(excused))
      await context.annotate(
        `left by a Lambda check here (${noLambda}): ${left.filter(excused).join(', ')}`,
        'notice',
      );
    expect(reported.flatMap((c) => c.leftovers ?? [])).toEqual([]);
    expect(left.filter((name) => !excused(name))).toEqual([]);
  });

  conformance('doctor deploys AWS::Events::Archive through CloudFormation (cfn-events-archive passes)', {
    probe: async () => byId('cfn-events-archive'),
    aws: (check) => expect(check).toMatchObject({ status: 'PASS' }),
    gaps: [
      {
        id: 'cfn-events-archive-not-created',
        instead:
          'CloudFormation reports the archive created, but none exists; doctor reports it as information (WARN)',
        seen: (check) =>
          check?.status === 'WARN' &&
          check.severity === 'info' &&
          /ResourceNotFoundException: Archive .* does not exist/.test(check.detail ?? ''),
        workaround: 'none: `pipeline replay --archive` finds no archive there',
      },
      {
        id: 'cfn-events-archive',
        instead: 'CloudFormation rejects AWS::Events::Archive; doctor reports it as information (WARN)',
        seen: (check) =>
          check?.status === 'WARN' &&
          check.severity === 'info' &&
          /Unrecognized resource types: \[AWS::Events::Archive\]/.test(check.detail ?? ''),
        workaround: '`pipeline deploy` creates the archive through the API (cli/cloud/template-patches.ts)',
        // The archive API itself works: only deploying one through CloudFormation does not.
        check: async () => expect(byId('events-archive')?.status).toBe('PASS'),
      },
    ],
  });

  it('reads an inserted item back from the table stream (the outbox publisher path)', () => {
    expect(byId('ddb-streams')).toMatchObject({ status: 'PASS' });
  });

  it('reports the body-scoped SNS filter as information only', () => {
    expect(byId('sns-filter-body')).toMatchObject({ severity: 'info' });
    expect(['PASS', 'WARN']).toContain(byId('sns-filter-body')?.status);
  });
});

describe('pipeline doctor: options, interruption and bad setup', () => {
  it('--only runs just the named checks and exits 0 when they pass', async () => {
    const run = await pipeline(['doctor', '--json', '--only', 'sqs-redrive,ddb-transactions']);
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['sqs-redrive', 'PASS'],
      ['ddb-transactions', 'PASS'],
    ]);
    expect(run.status).toBe(0);
  });

  it('rejects an unknown check id and lists the known ones', async () => {
    const run = await pipeline(['doctor', '--only', 'sqs-redrive,sqs-redrvie']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('error: Unknown check id: sqs-redrvie.');
    expect(run.stderr).toMatch(/→ Known checks: sqs-redrive, .*lambda-sqs-batch/);
  });

  it('on Ctrl-C stops, deletes every probe resource and exits 130', async () => {
    // Act: interrupt once the first check has finished (the Lambda check is then mid-way).
    let sent = false;
    const run = await pipeline(['doctor', '--json'], {
      onStderr: (text, interrupt) => {
        if (!sent && text.includes('[1/')) {
          sent = true;
          interrupt();
        }
      },
    });

    // Assert
    expect(run.status).toBe(130);
    expect(run.stderr).toMatch(/Interrupted: deleting the probe resources/);
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(report.interrupted).toBe(true);
    expect(report.checks.some((c) => c.detail === 'interrupted (Ctrl-C)')).toBe(true);
    // Less what a Lambda check may leave where no function can run (see the test above).
    const noLambda = await lambdaUnavailable();
    const excused = (name: string) =>
      noLambda !== undefined && NEEDS_LAMBDA.some((id) => name.includes(`doctor-${id}-`));
    expect((await doctorLeftovers()).filter((name) => !excused(name))).toEqual([]);
  });

  it('says how to configure a target when there is no endpoint and there are no credentials', async () => {
    // Arrange: no endpoint, no recorded local cloud, no credentials anywhere the SDK looks.
    const empty = mkdtempSync(join(tmpdir(), 'doctor-no-target-'));
    const withoutAws = Object.fromEntries(
      Object.keys(process.env)
        .filter((key) => key.startsWith('AWS_'))
        .map((key) => [key, undefined]),
    );
    const run = await pipeline(['doctor'], {
      env: {
        ...withoutAws,
        HOME: empty,
        PIPELINE_LOCAL_DIR: empty,
        AWS_CONFIG_FILE: join(empty, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(empty, 'credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });

    // Assert
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error: No endpoint or AWS credentials are configured/);
    expect(run.stderr).toMatch(/→ Run `pipeline cloud start`, or set AWS_ENDPOINT_URL \/ AWS credentials/);
  });
});
