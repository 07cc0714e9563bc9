import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RecordingProxyProcess, spawnRecordingProxy } from '../support/iam/recording.ts';

/** A stand-in emulator in a process of its own, answering every request with 200 `{}`. */
async function startUpstream(): Promise<{ child: ChildProcess; url: string }> {
  const server = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }); s.end('{}'); }); }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', server], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { child, url: `http://127.0.0.1:${port}` };
}

/** An SDK-like SQS SendMessage from a function tagged `Fn`, sent by a child while this process blocks. */
function sendThroughBlocked(proxyUrl: string): string {
  const client = `fetch(${JSON.stringify(proxyUrl)}, { method: 'POST', headers: {
    authorization: 'AWS4-HMAC-SHA256 Credential=KEY/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x',
    'x-amz-target': 'AmazonSQS.SendMessage', 'content-type': 'application/x-amz-json-1.0',
    'x-amz-user-agent': 'aws-sdk-js/3 app/Fn' },
    body: JSON.stringify({ QueueUrl: 'http://127.0.0.1:4577/000000000000/Work', MessageBody: 'order 1' }) })
    .then((r) => process.stdout.write(String(r.status)), (e) => process.stdout.write('failed: ' + e.message));`;
  const result = spawnSync(process.execPath, ['-e', client], { encoding: 'utf8', timeout: 20_000 });
  return result.stdout;
}

describe('IAM recording proxy', () => {
  let upstream: { child: ChildProcess; url: string } | undefined;
  let proxy: RecordingProxyProcess | undefined;

  afterAll(async () => {
    await proxy?.stop();
    upstream?.child.kill();
  });

  it('forwards and records while the process that started it is blocked waiting for a tier', async () => {
    // Arrange
    const calls = join(mkdtempSync(join(tmpdir(), 'iam-recording-')), 'calls.jsonl');
    upstream = await startUpstream();
    proxy = await spawnRecordingProxy(calls, upstream.url);

    // Act: spawnSync blocks this process's event loop, as test/run-all.ts does for each tier.
    const status = sendThroughBlocked(proxy.url);

    // Assert
    expect(status).toBe('200');
    const recorded = readFileSync(calls, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(recorded).toEqual([
      {
        caller: 'Fn',
        service: 'sqs',
        api: 'SendMessage',
        status: 200,
        params: { QueueUrl: 'http://127.0.0.1:4577/000000000000/Work' },
      },
    ]);
  }, 30_000);

  it('stops when asked, so nothing of the run is left listening', async () => {
    // Act
    await proxy?.stop();

    // Assert
    expect(() => process.kill(proxy?.pid as number, 0)).toThrow();
  });
});
