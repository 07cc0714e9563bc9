import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINISTACK_VERSION } from '../../cli/cloud/ministack.ts';
import { runCli } from '../support/cli.ts';

/** Runs the real CLI in a child process, never against the test run's own emulator. */
function pipeline(args: string[], env: Record<string, string> = {}) {
  return runCli(
    args,
    { AWS_ENDPOINT_URL: undefined, PIPELINE_CLOUD_INSTANCE: `bad-setup-${process.pid}`, ...env },
    60_000,
  );
}

/**
 * A fake project-local area whose "MiniStack" is the given shell script: its venv's python answers the
 * version probe (`-c …`) and runs the script when started with the launcher, as the CLI starts MiniStack.
 */
function fakeEmulator(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-bad-setup-'));
  mkdirSync(join(dir, 'venv/bin'), { recursive: true });
  const python = `#!/usr/bin/env bash\nif [ "$1" = "-c" ]; then echo ${MINISTACK_VERSION}; exit 0; fi\n${script}\n`;
  writeFileSync(join(dir, 'venv/bin/python'), python);
  chmodSync(join(dir, 'venv/bin/python'), 0o755);
  return dir;
}

function processesMatching(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('pipeline cloud: bad setup gives one clear error, a non-zero exit and no orphans', () => {
  let busy: Server;
  let busyPort = 0;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const address = busy.address();
    busyPort = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(() => busy.close());

  it('explains how to get Python when none is found', () => {
    // Arrange: an empty project area (no virtualenv yet) and a PATH with node only.
    const nodeOnly = mkdtempSync(join(tmpdir(), 'node-only-'));
    symlinkSync(process.execPath, join(nodeOnly, 'node'));

    // Act
    const run = pipeline(['cloud', 'start'], {
      PIPELINE_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'pipeline-empty-')),
      PYTHON: '/nonexistent/python3',
      PATH: nodeOnly,
    });

    // Assert
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error: Python ≥ 3\.10 was not found/);
    expect(run.stderr).toMatch(/→ Install Python 3\.10\+/);
  });

  it('refuses a port that is already taken and says how to pick another', () => {
    const run = pipeline(['cloud', 'start', '--port', String(busyPort)], {
      PIPELINE_LOCAL_DIR: fakeEmulator('sleep 1'),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error: Port ${busyPort} on 127.0.0.1 is already in use.`);
    expect(run.stderr).toMatch(/--port N/);
  });

  it('reports an emulator that dies during start-up with the tail of its log', () => {
    const run = pipeline(['cloud', 'start'], {
      PIPELINE_LOCAL_DIR: fakeEmulator('echo "fatal: simulated start-up failure" >&2; exit 3'),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error: MiniStack exited during start-up/);
    expect(run.stderr).toContain('fatal: simulated start-up failure');
  });

  it('gives up on an emulator that never becomes healthy and leaves none of its processes behind', () => {
    // Arrange: an "emulator" that never listens and has a child of its own.
    const marker = `${40_000 + (process.pid % 9_000)}`;
    const dir = fakeEmulator(`sleep ${marker}1 &\nsleep ${marker}2`);

    // Act
    const run = pipeline(['cloud', 'start'], {
      PIPELINE_LOCAL_DIR: dir,
      PIPELINE_CLOUD_START_TIMEOUT_MS: '1500',
    });

    // Assert
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/did not become healthy within 1\.5 s/);
    expect(processesMatching(`sleep ${marker}`)).toEqual([]);
  });

  it('refuses deploy --local when no local cloud runs, pointing at `pipeline up`', () => {
    const run = pipeline(['deploy', '--local']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/No local cloud is running.*\n.*pipeline up/);
  });

  it('rejects an unknown command with or without --help, naming the nearest commands, then all of them', () => {
    const cases: [string[], string][] = [
      [['deploi'], "Did you mean 'deploy'?"],
      [['deploi', '--help'], "Did you mean 'deploy'?"],
      [['--stage', 'prod', 'ordrs', '--help'], "Did you mean 'orders'?"],
    ];
    for (const [args, suggestion] of cases) {
      const run = pipeline(args);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(
        /^error: unknown command '(deploi|ordrs)'\.\n {2}→ Did you mean '\w+'\? Commands: cloud, deploy, up, down, destroy/,
      );
      expect(run.stderr).toContain(suggestion);
      expect(run.stdout).toBe('');
    }
    const far = pipeline(['xyzzyqq']);
    expect(far.status).toBe(2);
    expect(far.stderr).toMatch(/^error: unknown command 'xyzzyqq'\.\n {2}→ Commands: cloud/);
  });

  it("says under each command's help where its AWS calls would go now, and nothing under local-only ones", () => {
    // Act
    const noCloud = pipeline(['dlq', 'redrive', '--help']);
    const endpoint = pipeline(['seed', '--help'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    const local = pipeline(['cloud', 'start', '--help']);

    // Assert
    expect(noCloud.status).toBe(0);
    expect(noCloud.stdout).toMatch(/Goes to: real AWS \(region [a-z0-9-]+, your credentials\)/);
    expect(endpoint.stdout).toContain('Goes to: http://127.0.0.1:9 (AWS_ENDPOINT_URL).');
    expect(local.status).toBe(0);
    expect(local.stdout).not.toContain('Goes to:');
  });

  it('refuses a numeric option that is not a number in range before anything runs, naming the option', () => {
    const cases: [string[], RegExp][] = [
      [
        ['tail', '--max', 'abc'],
        /option '--max <n>' argument 'abc' is invalid\. Expected a whole number ≥ 1\./,
      ],
      [
        ['orders', 'list', '--limit', '-5'],
        /option '--limit <n>' argument '-5' is invalid\. Expected a whole number from 1 to 1000, got -5\./,
      ],
      [['inject', 'OrderPlaced', '--rate', 'NaN'], /option '--rate <perSecond>' argument 'NaN' is invalid/],
      [['up', '--port', '99999'], /--port "99999": Expected a whole number from 1 to 65535, got 99999\./],
    ];
    for (const [args, message] of cases) {
      const run = pipeline(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});
