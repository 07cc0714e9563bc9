import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CliError, type Reporter } from '../output.ts';
import { localDir } from '../paths.ts';
import { launchEmulator } from './launch.ts';
import type { CloudState } from './state.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './target.ts';
import { ensurePythonTool, run } from './venv.ts';

/** The LocalStack release the int tier is also run against (host install, no Docker). */
export const LOCALSTACK_VERSION = '2026.3.0';
/** DynamoDB Local from Maven Central: LocalStack's own download hosts are not reachable everywhere. */
export const DYNAMODB_LOCAL_VERSION = '2.6.1';

/**
 * Pins LocalStack 2026.3.0 needs beside it (measured: without them it does not start).
 * cbor2 6 drops `cbor2._decoder`; pyopenssl 25 drops `X509.add_extensions`; cryptography 45 and
 * service-identity 25 lose `GEN_EMAIL`.
 */
export const LOCALSTACK_PIP_PINS = ['cbor2<6', 'cryptography<45', 'pyopenssl<25', 'service-identity<25'];

/** Only what the pipeline needs. */
export const LOCALSTACK_SERVICES = [
  'cloudwatch',
  'sqs',
  'sns',
  'events',
  'scheduler',
  'dynamodb',
  'dynamodbstreams',
  'cloudformation',
  'sts',
  'iam',
  'lambda',
  'logs',
  'kms',
  'ssm',
];

const venvDir = `${localDir}/venv-localstack`;
/** Packages LocalStack would download at run time, laid out where it looks; shared by all instances. */
const libDir = `${localDir}/localstack-lib`;
const ddbDir = `${libDir}/dynamodb-local/2`;
const mavenDir = `${localDir}/dynamodb-local-maven`;
const javaSources = fileURLToPath(new URL('./dynamodb-local/', import.meta.url));
const nodeLoopback = fileURLToPath(new URL('./node-loopback.cjs', import.meta.url));

function pythonVersion(python: string): [number, number] | undefined {
  const probe = spawnSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) return undefined;
  const [major = 0, minor = 0] = probe.stdout.trim().split('.').map(Number);
  return [major, minor];
}

/**
 * Where to look for a Python ≥ 3.12, in order: $LOCALSTACK_PYTHON, python3.13/python3.12 on the PATH,
 * pyenv's installed 3.12+ versions (newest first), then python3.
 */
export function localStackPythonCandidates(
  env: NodeJS.ProcessEnv,
  pyenvRoot: string | undefined,
  pyenvVersions: readonly string[],
): string[] {
  const fromPyenv = pyenvVersions
    .filter((v) => /^3\.(\d+)\.\d+$/.test(v) && Number(v.split('.')[1]) >= 12)
    .sort((a, b) => {
      const [, am = 0, ap = 0] = a.split('.').map(Number);
      const [, bm = 0, bp = 0] = b.split('.').map(Number);
      return bm - am || bp - ap;
    })
    .map((v) => `${pyenvRoot}/versions/${v}/bin/python3`);
  return [env.LOCALSTACK_PYTHON, 'python3.13', 'python3.12', ...fromPyenv, 'python3'].filter(
    (c): c is string => Boolean(c),
  );
}

function pyenvRoot(): string | undefined {
  const probe = spawnSync('pyenv', ['root'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim()) return probe.stdout.trim();
  const guess = process.env.PYENV_ROOT ?? `${homedir()}/.pyenv`;
  return existsSync(guess) ? guess : undefined;
}

/** A Python ≥ 3.12 (LocalStack 2026.3.0 uses 3.12 syntax although it claims 3.10), or a clear error. */
export function findLocalStackPython(): string {
  const root = pyenvRoot();
  let versions: string[] = [];
  try {
    versions = root ? readdirSync(`${root}/versions`) : [];
  } catch {
    // no pyenv versions
  }
  const candidates = localStackPythonCandidates(process.env, root, versions);
  for (const candidate of candidates) {
    const version = pythonVersion(candidate);
    if (version && version[0] === 3 && version[1] >= 12) return candidate;
  }
  throw new CliError(
    `Python ≥ 3.12 was not found for LocalStack ${LOCALSTACK_VERSION} (tried ${candidates.join(', ')}); on 3.11 it fails with a SyntaxError in localstack/services/stores.py.`,
    'Install Python 3.12 or 3.13 (e.g. `pyenv install 3.13.0`, or your package manager’s python3.12 with venv), or set LOCALSTACK_PYTHON=/path/to/python3.12.',
  );
}

function requireTool(tool: string, what: string): void {
  const probe = spawnSync(tool, ['-version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new CliError(
      `\`${tool}\` was not found; LocalStack's DynamoDB needs it (${what}).`,
      'Install a JDK 17+ and Maven (e.g. `apt-get install openjdk-17-jdk-headless maven`).',
    );
  }
}

/** The JDK home of the `javac` on the PATH (JAVA_HOME wins). */
function jdkHome(): string {
  if (process.env.JAVA_HOME && existsSync(`${process.env.JAVA_HOME}/bin/java`)) return process.env.JAVA_HOME;
  const which = spawnSync('sh', ['-c', 'command -v javac'], { encoding: 'utf8' });
  const javac = which.stdout.trim();
  if (which.status !== 0 || !javac) throw new CliError('No JDK found (javac is not on the PATH).');
  return realpathSync(javac).replace(/\/bin\/javac$/, '');
}

/** The pom `mvn dependency:copy-dependencies` reads: DynamoDB Local and its dependencies. */
export function dynamoDbLocalPom(version = DYNAMODB_LOCAL_VERSION): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <!-- Generated by cli/cloud/localstack.ts: fetches DynamoDB Local for LocalStack on the host. -->
  <groupId>local.pipeline</groupId>
  <artifactId>dynamodb-local-for-localstack</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>com.amazonaws</groupId>
      <artifactId>DynamoDBLocal</artifactId>
      <version>${version}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/** A jar manifest; `Class-Path` entries are space separated and lines are wrapped at 72 bytes. */
export function jarManifest(attributes: Record<string, string>): string {
  const lines: string[] = ['Manifest-Version: 1.0'];
  for (const [name, value] of Object.entries(attributes)) {
    const line = `${name}: ${value}`;
    lines.push(line.slice(0, 70));
    for (let i = 70; i < line.length; i += 69) lines.push(` ${line.slice(i, i + 69)}`);
  }
  return `${lines.join('\n')}\n\n`;
}

/**
 * Lays DynamoDB Local out where LocalStack looks for its own download (`<lib>/dynamodb-local/2`):
 * the Maven Central jars in DynamoDBLocal_lib, a DynamoDBLocal.jar whose Main-Class binds it to
 * 127.0.0.1, a no-op loader agent, and `java/21` pointing at the system JDK (17 is enough).
 */
async function installDynamoDbLocal(reporter: Reporter): Promise<void> {
  if (existsSync(`${ddbDir}/DynamoDBLocal.jar`) && existsSync(`${ddbDir}/ddb-local-loader-0.1.jar`)) return;
  requireTool('mvn', 'to fetch DynamoDB Local from Maven Central');
  requireTool('javac', 'to build its loader');
  reporter.step(
    `Fetching DynamoDB Local ${DYNAMODB_LOCAL_VERSION} from Maven Central into ${ddbDir} (first run only, ~45 s)`,
  );
  rmSync(ddbDir, { recursive: true, force: true });
  mkdirSync(`${ddbDir}/DynamoDBLocal_lib`, { recursive: true });
  mkdirSync(mavenDir, { recursive: true });
  writeFileSync(`${mavenDir}/pom.xml`, dynamoDbLocalPom());
  await run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      `${mavenDir}/pom.xml`,
      `-Dmaven.repo.local=${mavenDir}/repository`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${ddbDir}/DynamoDBLocal_lib`,
    ],
    'fetch DynamoDB Local with Maven (check network access to repo.maven.apache.org)',
  );
  const jars = readdirSync(`${ddbDir}/DynamoDBLocal_lib`)
    .filter((f) => f.endsWith('.jar'))
    .sort();
  const build = `${mavenDir}/build`;
  rmSync(build, { recursive: true, force: true });
  mkdirSync(`${build}/classes`, { recursive: true });
  await run(
    'javac',
    [
      '--release',
      '17',
      '-d',
      `${build}/classes`,
      `${javaSources}LoopbackServerRunner.java`,
      `${javaSources}NoopAgent.java`,
    ],
    'compile the DynamoDB Local launcher',
  );
  writeFileSync(
    `${build}/server.mf`,
    jarManifest({
      'Main-Class': 'pipeline.local.LoopbackServerRunner',
      'Class-Path': jars.map((jar) => `DynamoDBLocal_lib/${jar}`).join(' '),
    }),
  );
  writeFileSync(`${build}/agent.mf`, jarManifest({ 'Premain-Class': 'pipeline.local.NoopAgent' }));
  await run(
    'jar',
    [
      '--create',
      '--file',
      `${ddbDir}/DynamoDBLocal.jar`,
      '--manifest',
      `${build}/server.mf`,
      '-C',
      `${build}/classes`,
      'pipeline/local/LoopbackServerRunner.class',
    ],
    'build DynamoDBLocal.jar',
  );
  await run(
    'jar',
    [
      '--create',
      '--file',
      `${ddbDir}/ddb-local-loader-0.1.jar`,
      '--manifest',
      `${build}/agent.mf`,
      '-C',
      `${build}/classes`,
      'pipeline/local/NoopAgent.class',
    ],
    'build the loader agent jar',
  );
}

function linkJava(): void {
  const link = `${libDir}/java/21`;
  if (existsSync(`${link}/bin/java`)) return;
  mkdirSync(`${libDir}/java`, { recursive: true });
  rmSync(link, { force: true, recursive: true });
  symlinkSync(jdkHome(), link);
}

/** Creates `.local/venv-localstack` (Python ≥ 3.12) with the pinned LocalStack, and DynamoDB Local. */
export async function ensureLocalStackInstalled(reporter: Reporter): Promise<void> {
  await ensurePythonTool(
    {
      label: 'LocalStack',
      venvDir,
      distribution: 'localstack-core',
      version: LOCALSTACK_VERSION,
      requirements: [`localstack-core[runtime]==${LOCALSTACK_VERSION}`, ...LOCALSTACK_PIP_PINS],
      python: findLocalStackPython,
      takes: `~3 min, with ${LOCALSTACK_PIP_PINS.join(', ')}`,
    },
    reporter,
  );
  await installDynamoDbLocal(reporter);
  linkJava();
}

/**
 * LocalStack's environment on the host. Each setting has a measured reason:
 * - OVERRIDE_IN_DOCKER=0: a machine with /.dockerenv makes it write to /var/lib/localstack;
 * - GATEWAY_SERVER=hypercorn: the default (twisted) server ignores the host of GATEWAY_LISTEN and
 *   listens on 0.0.0.0; hypercorn binds the address given;
 * - DNS_ADDRESS=0: no DNS server (it would try port 53 on every interface);
 * - NODE_OPTIONS=--require node-loopback.cjs: kinesis-mock (Node, for DynamoDB streams) has no host
 *   setting and listened on 0.0.0.0; the preload makes a server without a host listen on 127.0.0.1;
 * - SQS_ENDPOINT_STRATEGY=path: queue URLs on the gateway's address, not a *.localhost.localstack.cloud name;
 * - KINESIS_LATENCY=0: DynamoDB streams (kinesis-mock) raced the readers otherwise;
 * - SKIP_SSL_CERT_DOWNLOAD, DISABLE_EVENTS: no calls to LocalStack's hosts.
 */
export function localStackEnvironment(
  base: NodeJS.ProcessEnv,
  port: number,
  filesystemRoot: string,
  loopbackPreload = nodeLoopback,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    OVERRIDE_IN_DOCKER: '0',
    FILESYSTEM_ROOT: filesystemRoot,
    GATEWAY_LISTEN: `127.0.0.1:${port}`,
    GATEWAY_SERVER: 'hypercorn',
    LOCALSTACK_HOST: `127.0.0.1:${port}`,
    DNS_ADDRESS: '0',
    SQS_ENDPOINT_STRATEGY: 'path',
    KINESIS_LATENCY: '0',
    SERVICES: LOCALSTACK_SERVICES.join(','),
    DISABLE_EVENTS: '1',
    SKIP_SSL_CERT_DOWNLOAD: '1',
    NODE_OPTIONS: [base.NODE_OPTIONS, `--require ${JSON.stringify(loopbackPreload)}`]
      .filter(Boolean)
      .join(' '),
  };
  // Never forward a user's LocalStack Pro token or AWS session to the local process.
  delete env.LOCALSTACK_AUTH_TOKEN;
  delete env.AWS_ENDPOINT_URL;
  return env;
}

/**
 * Makes LocalStack start everything it would start lazily (DynamoDB Local, kinesis-mock for streams)
 * so the loopback check sees every listener: a table with a stream, created and deleted.
 */
async function warmUp(endpoint: string): Promise<void> {
  const { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } = await import(
    '@aws-sdk/client-dynamodb'
  );
  const { DynamoDBStreamsClient, ListStreamsCommand } = await import('@aws-sdk/client-dynamodb-streams');
  const config = {
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: LOCAL_ACCOUNT, secretAccessKey: 'test' },
  };
  const dynamodb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const TableName = `pipeline-warm-up-${process.pid}`;
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    for (let i = 0; i < 40; i += 1) {
      const table = await dynamodb.send(new DescribeTableCommand({ TableName }));
      if (table.Table?.TableStatus === 'ACTIVE') break;
      await sleep(250);
    }
    await streams.send(new ListStreamsCommand({ TableName }));
    await dynamodb.send(new DeleteTableCommand({ TableName }));
  } finally {
    dynamodb.destroy();
    streams.destroy();
  }
}

export async function startLocalStack(
  reporter: Reporter,
  options: { port?: number; preferredPort?: number } = {},
): Promise<CloudState> {
  await ensureLocalStackInstalled(reporter);
  reporter.warn(
    'LocalStack on the host cannot run Lambda functions (its only executor is Docker): deployed functions end in State Failed',
  );
  return launchEmulator(reporter, {
    emulator: 'localstack',
    version: LOCALSTACK_VERSION,
    command: `${venvDir}/bin/python`,
    args: () => ['-m', 'localstack.runtime.main'],
    env: (port, workDir) => {
      const root = `${workDir}/root`;
      // A fresh file system per start (LocalStack keeps nothing between runs here), with the shared
      // packages (DynamoDB Local, Java, kinesis-mock from npm) linked in.
      rmSync(root, { recursive: true, force: true });
      mkdirSync(`${root}/var/lib/localstack`, { recursive: true });
      symlinkSync(libDir, `${root}/var/lib/localstack/lib`);
      return localStackEnvironment(process.env, port, root);
    },
    warmUp,
    timeoutMs: Number(process.env.PIPELINE_CLOUD_START_TIMEOUT_MS ?? 120_000),
    ...options,
  });
}

export function uninstallLocalStack(): void {
  rmSync(venvDir, { recursive: true, force: true });
  rmSync(libDir, { recursive: true, force: true });
}
