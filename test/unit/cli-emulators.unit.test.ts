import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { parseEmulator, parseEmulatorList } from '../../cli/cloud/emulators.ts';
import {
  decodeProcAddress,
  formatListener,
  isLoopback,
  parseProcNetTcp,
  widelyBound,
} from '../../cli/cloud/listeners.ts';
import {
  dynamoDbLocalPom,
  jarManifest,
  LOCALSTACK_PIP_PINS,
  localStackEnvironment,
  localStackPythonCandidates,
} from '../../cli/cloud/localstack.ts';
import { motoArgs, motoEnvironment } from '../../cli/cloud/moto.ts';
import { emulatorOption } from '../../cli/commands/cloud.ts';
import { endpointRunsLambda } from '../support/endpoint.ts';
import { emulatorTierEnvironment } from '../support/local-cloud.ts';

/** Parses `--emulator` the way `pipeline cloud start` does, without starting anything. */
function emulatorFrom(argv: string[], env: Record<string, string> = {}): string {
  vi.stubEnv('PIPELINE_EMULATOR', env.PIPELINE_EMULATOR);
  try {
    const command = new Command('start')
      .exitOverride()
      .configureOutput({ writeErr: () => {} })
      .addOption(emulatorOption())
      .action(() => {});
    command.parse(argv, { from: 'user' });
    return command.opts<{ emulator: string }>().emulator;
  } finally {
    vi.unstubAllEnvs();
  }
}

describe('--emulator', () => {
  it('defaults to MiniStack', () => {
    expect(emulatorFrom([])).toBe('ministack');
  });

  it('accepts localstack and moto, and PIPELINE_EMULATOR when the flag is absent', () => {
    expect(emulatorFrom(['--emulator', 'localstack'])).toBe('localstack');
    expect(emulatorFrom([], { PIPELINE_EMULATOR: 'moto' })).toBe('moto');
    expect(emulatorFrom(['--emulator', 'ministack'], { PIPELINE_EMULATOR: 'moto' })).toBe('ministack');
  });

  it('rejects any other name, listing the choices', () => {
    expect(() => emulatorFrom(['--emulator', 'localstck'])).toThrow(/ministack, localstack, moto/);
  });
});

describe('emulator names', () => {
  it('parses one name case-insensitively and refuses unknown ones with the choices', () => {
    expect(parseEmulator(undefined)).toBe('ministack');
    expect(parseEmulator(' LocalStack ')).toBe('localstack');
    expect(() => parseEmulator('docker')).toThrow(/Unknown emulator "docker"/);
  });

  it('parses the list of extra int-tier emulators, none meaning none', () => {
    expect(parseEmulatorList('moto,localstack')).toEqual(['moto', 'localstack']);
    expect(parseEmulatorList(' moto , moto ')).toEqual(['moto']);
    expect(parseEmulatorList('none')).toEqual([]);
    expect(parseEmulatorList('')).toEqual([]);
    expect(() => parseEmulatorList('ministack')).toThrow(/already runs every tier/);
  });
});

describe('moto environment', () => {
  it('listens on loopback only, on the port given', () => {
    expect(motoArgs(4598)).toEqual(['-H', '127.0.0.1', '-p', '4598']);
  });

  it('uses the account every other local cloud uses, not moto’s 123456789012', () => {
    const env = motoEnvironment({ PATH: '/bin' }, '/w');
    expect(env.MOTO_ACCOUNT_ID).toBe('000000000000');
    expect(env.PATH).toBe('/bin');
  });
});

describe('LocalStack environment', () => {
  const env = localStackEnvironment(
    { PATH: '/bin', LOCALSTACK_AUTH_TOKEN: 'ls-secret', AWS_ENDPOINT_URL: 'http://x', NODE_OPTIONS: '--x' },
    4599,
    '/r',
    '/p/node-loopback.cjs',
  );

  it('binds the gateway to loopback with a server that honours the host', () => {
    expect(env.GATEWAY_LISTEN).toBe('127.0.0.1:4599');
    expect(env.LOCALSTACK_HOST).toBe('127.0.0.1:4599');
    expect(env.GATEWAY_SERVER).toBe('hypercorn');
    expect(env.DNS_ADDRESS).toBe('0');
  });

  it('preloads the loopback shim into the Node processes it starts, keeping existing NODE_OPTIONS', () => {
    expect(env.NODE_OPTIONS).toBe('--x --require "/p/node-loopback.cjs"');
  });

  it('keeps its files under the given root and off LocalStack’s hosts', () => {
    expect(env).toMatchObject({
      OVERRIDE_IN_DOCKER: '0',
      FILESYSTEM_ROOT: '/r',
      SQS_ENDPOINT_STRATEGY: 'path',
      KINESIS_LATENCY: '0',
      DISABLE_EVENTS: '1',
      SKIP_SSL_CERT_DOWNLOAD: '1',
    });
    expect(env.SERVICES?.split(',')).toEqual(expect.arrayContaining(['dynamodb', 'cloudformation', 'sqs']));
  });

  it('forwards neither a LocalStack token nor another endpoint', () => {
    expect(env.LOCALSTACK_AUTH_TOKEN).toBeUndefined();
    expect(env.AWS_ENDPOINT_URL).toBeUndefined();
    expect(env.PATH).toBe('/bin');
  });

  it('pins the packages LocalStack 2026.3.0 needs beside it', () => {
    expect(LOCALSTACK_PIP_PINS).toEqual([
      'cbor2<6',
      'cryptography<45',
      'pyopenssl<25',
      'service-identity<25',
    ]);
  });
});

describe('LocalStack Python', () => {
  it('tries the override, then 3.13/3.12 on the PATH, then pyenv’s 3.12+ newest first, then python3', () => {
    const candidates = localStackPythonCandidates({ LOCALSTACK_PYTHON: '/opt/py' }, '/root/.pyenv', [
      '3.11.7',
      '3.12.1',
      '2.7.18',
      '3.13.0',
      '3.12.10',
      'system',
    ]);
    expect(candidates).toEqual([
      '/opt/py',
      'python3.13',
      'python3.12',
      '/root/.pyenv/versions/3.13.0/bin/python3',
      '/root/.pyenv/versions/3.12.10/bin/python3',
      '/root/.pyenv/versions/3.12.1/bin/python3',
      'python3',
    ]);
  });

  it('works without pyenv', () => {
    expect(localStackPythonCandidates({}, undefined, [])).toEqual(['python3.13', 'python3.12', 'python3']);
  });
});

describe('DynamoDB Local install files', () => {
  it('asks Maven for the pinned DynamoDB Local', () => {
    const pom = dynamoDbLocalPom('2.6.1');
    expect(pom).toContain('<artifactId>DynamoDBLocal</artifactId>');
    expect(pom).toContain('<version>2.6.1</version>');
  });

  it('writes manifests with lines of at most 72 bytes, continued with a space', () => {
    const classPath = Array.from({ length: 30 }, (_, i) => `DynamoDBLocal_lib/library-${i}.jar`).join(' ');
    const manifest = jarManifest({
      'Main-Class': 'pipeline.local.LoopbackServerRunner',
      'Class-Path': classPath,
    });
    const lines = manifest.split('\n');
    expect(lines[0]).toBe('Manifest-Version: 1.0');
    expect(lines.every((line) => Buffer.byteLength(line) <= 72)).toBe(true);
    expect(manifest.endsWith('\n\n')).toBe(true);
    // Unwrapped, the attribute is intact.
    const unwrapped = manifest.replace(/\n /g, '');
    expect(unwrapped).toContain(`Class-Path: ${classPath}\n`);
    expect(unwrapped).toContain('Main-Class: pipeline.local.LoopbackServerRunner\n');
  });
});

describe('bound-address check', () => {
  const tcp = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:11F7 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0',
    '   1: 00000000:C1A9 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0',
    '   2: 0100007F:11F7 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0',
  ].join('\n');
  const tcp6 = [
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0000000000000000FFFF00000100007F:ED29 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0',
    '   1: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0',
    '   2: 00000000000000000000000001000000:1F41 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2003 1 0',
  ].join('\n');

  it('decodes /proc/net/tcp addresses (little-endian words)', () => {
    expect(decodeProcAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000')).toBe('0.0.0.0');
    expect(decodeProcAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeProcAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeProcAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(decodeProcAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
  });

  it('keeps only listening sockets, with port and inode', () => {
    expect(parseProcNetTcp(tcp)).toEqual([
      { address: '127.0.0.1', port: 4599, inode: 1001 },
      { address: '0.0.0.0', port: 49577, inode: 1002 },
    ]);
    expect(parseProcNetTcp(tcp6).map(formatListener)).toEqual([
      '[::ffff:127.0.0.1]:60713',
      '[::]:8000',
      '[::1]:8001',
    ]);
  });

  it('counts 127/8, ::1 and IPv4-mapped loopback as loopback, nothing else', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.5', '::ffff:10.0.0.5', '2001:db8::1'].some(isLoopback)).toBe(false);
  });

  it('names every listener beyond loopback with its process', () => {
    const listeners = [...parseProcNetTcp(tcp), ...parseProcNetTcp(tcp6)].map((l, i) => ({
      ...l,
      pid: 100 + i,
      process: i === 1 ? 'node' : 'java',
    }));
    expect(widelyBound(listeners)).toEqual(['0.0.0.0:49577 (node, pid 101)', '[::]:8000 (java, pid 103)']);
  });
});

describe('int tier against moto and LocalStack', () => {
  it('points every client at the emulator with dummy credentials and declares that no Lambda runs', () => {
    const env = emulatorTierEnvironment('http://127.0.0.1:4598', {
      AWS_PROFILE: 'prod',
      AWS_SESSION_TOKEN: 't',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4577',
    });
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4598',
      AWS_ACCESS_KEY_ID: '000000000000',
      PIPELINE_ENDPOINT_RUNS_LAMBDA: '0',
    });
    expect(env.AWS_PROFILE).toBeUndefined();
    expect(env.AWS_SESSION_TOKEN).toBeUndefined();
    expect(endpointRunsLambda(env)).toBe(false);
    expect(endpointRunsLambda({})).toBe(true);
  });
});

describe('Node loopback preload (kinesis-mock under LocalStack)', () => {
  const preload = fileURLToPath(new URL('../../cli/cloud/node-loopback.cjs', import.meta.url));
  /** The address a server ends up on when asked to listen this way, with the preload in place. */
  function boundWith(listenArgs: string): string {
    const script = `const s = require('node:net').createServer(); s.listen(${listenArgs}, () => { console.log(s.address().address); s.close(); });`;
    const result = spawnSync(process.execPath, ['--require', preload, '-e', script], { encoding: 'utf8' });
    return result.stdout.trim();
  }

  it('moves servers asking for every interface onto 127.0.0.1', () => {
    expect(boundWith('0')).toBe('127.0.0.1');
    expect(boundWith("0, '0.0.0.0'")).toBe('127.0.0.1');
    expect(boundWith("0, '::'")).toBe('127.0.0.1');
    expect(boundWith('{ port: 0 }')).toBe('127.0.0.1');
  });

  it('leaves an explicit loopback host alone', () => {
    expect(boundWith("0, '127.0.0.1'")).toBe('127.0.0.1');
    expect(boundWith("{ port: 0, host: '127.0.0.1' }")).toBe('127.0.0.1');
  });
});
