import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole } from '../../cli/console/server.ts';
import { FakeConsolePorts } from '../fakes/console-ports.ts';

const FAST = { depthMs: 20, eventWaitSeconds: 0.05, retryMs: 20 };

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request with full control of the headers (fetch refuses to set Host). */
function call(
  port: number,
  options: { path: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the console server', () => {
  let running: RunningConsole | undefined;
  let ports: FakeConsolePorts;
  const start = async (allowRedrive = false) => {
    ports = new FakeConsolePorts();
    running = await startConsole({ ports, port: 0, allowRedrive, token: 'secret-token', timing: FAST });
    return running;
  };
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  const post = (port: number, path: string, body: unknown, headers: Record<string, string> = {}) =>
    call(port, {
      path,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('listens on 127.0.0.1 and says so in its URL', async () => {
    const { url, port } = await start();
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    expect((await call(port, { path: '/' })).status).toBe(200);
  });

  it('cannot be reached on any other interface of the machine, IPv6 loopback included', async () => {
    const { port } = await start();
    // ::1 is always there: a server bound to every interface (:: or 0.0.0.0 dual-stack) answers on it.
    const others = [
      '::1',
      ...Object.values(networkInterfaces())
        .flat()
        .filter((i) => i && !i.internal)
        .map((i) => i?.address as string),
    ];
    for (const address of others) {
      const reached = await new Promise<boolean>((resolve) => {
        const req = request({ host: address, port, path: '/', timeout: 2000 }, () => resolve(true));
        req.on('error', () => resolve(false));
        req.on('timeout', () => {
          req.destroy();
          resolve(false);
        });
        req.end();
      });
      expect(reached, address).toBe(false);
    }
  });

  it('refuses a request whose Host header names another site (DNS rebinding)', async () => {
    const { port } = await start();
    const rebound = await call(port, { path: '/api/depths', headers: { host: `evil.example:${port}` } });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('WorkQueue');
    expect((await call(port, { path: '/', headers: { host: `127.0.0.1:${port + 1}` } })).status).toBe(421);
    expect((await call(port, { path: '/api/depths', headers: { host: `localhost:${port}` } })).status).toBe(
      200,
    );
  });

  it('refuses an inject without the page token, with a wrong one, by GET, or from another origin', async () => {
    const { port } = await start();
    const event = { type: 'OrderPlaced', data: { orderId: 'o-1', quantity: 1 } };
    expect((await post(port, '/api/inject', event)).status).toBe(403);
    expect((await post(port, '/api/inject', event, { 'x-console-token': 'secret-tokeN' })).status).toBe(403);
    expect((await call(port, { path: '/api/inject?type=OrderPlaced' })).status).toBe(403);
    const foreign = { 'x-console-token': 'secret-token', origin: 'http://evil.example' };
    expect((await post(port, '/api/inject', event, foreign)).status).toBe(403);
    expect(ports.injected).toEqual([]);
  });

  it('injects with the page token and answers with what was sent', async () => {
    const { port, token } = await start();
    const reply = await post(
      port,
      '/api/inject',
      { type: 'OrderPlaced', data: { orderId: 'o-1', quantity: 1 }, correlationId: 'c-1' },
      { 'x-console-token': token, origin: `http://127.0.0.1:${port}` },
    );
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual([{ eventId: 'e-new', correlationId: 'c-1', status: 'accepted' }]);
    expect(ports.injected).toEqual([
      { type: 'OrderPlaced', data: { orderId: 'o-1', quantity: 1 }, correlationId: 'c-1' },
    ]);
  });

  it('refuses redrive unless started with --allow-redrive, even with the token', async () => {
    const { port, token } = await start(false);
    const reply = await post(
      port,
      '/api/redrive',
      { queue: 'WorkDlq', ids: ['m-1'] },
      { 'x-console-token': token },
    );
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).hint).toContain('--allow-redrive');
    expect(ports.redriven).toEqual([]);
  });

  it('redrives the chosen ids when allowed and given the token', async () => {
    const { port, token } = await start(true);
    const reply = await post(
      port,
      '/api/redrive',
      { queue: 'WorkDlq', ids: ['m-1'] },
      { 'x-console-token': token },
    );
    expect(reply.status).toBe(200);
    expect(ports.redriven).toEqual([{ queue: 'WorkDlq', ids: ['m-1'] }]);
    const none = await post(
      port,
      '/api/redrive',
      { queue: 'WorkDlq', ids: [] },
      { 'x-console-token': token },
    );
    expect(none.status).toBe(400);
  });

  it('sends no CORS header and a CSP that allows only its own scripts', async () => {
    const { port } = await start();
    const page = await call(port, { path: '/', headers: { origin: 'http://evil.example' } });
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const preflight = await call(port, { path: '/api/depths', method: 'OPTIONS' });
    expect(preflight.status).toBe(405);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves only its own scripts and answers 404 elsewhere', async () => {
    const { port } = await start();
    const script = await call(port, { path: '/app.js' });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    expect((await call(port, { path: '/../package.json' })).status).toBe(404);
    expect((await call(port, { path: '/server.ts' })).status).toBe(404);
  });

  it('embeds the token in the page and escapes the stack name it shows', async () => {
    ports = new FakeConsolePorts();
    Object.assign(ports, { stackName: '<script>alert(1)</script>' });
    running = await startConsole({ ports, port: 0, token: 'secret-token', timing: FAST });
    const page = await call(running.port, { path: '/' });
    expect(page.body).toContain('<meta name="console-token" content="secret-token">');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).toContain('data-logical-id="WorkDlq"');
  });
});

describe('requests another site causes', () => {
  let running: RunningConsole | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('refuses reads a browser marks as caused by another site or origin, and serves its own', async () => {
    const ports = new FakeConsolePorts();
    running = await startConsole({ ports, port: 0, token: 'secret-token' });
    const { port } = running;
    const read = (headers: Record<string, string>) => call(port, { path: '/api/dlqs', headers });
    expect((await read({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await read({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await read({ origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await read({ 'sec-fetch-site': 'same-origin', origin: `http://127.0.0.1:${port}` })).status).toBe(
      200,
    );
    expect((await read({ 'sec-fetch-site': 'none' })).status).toBe(200);
  });

  it('still serves the other views when the stack template cannot be read', async () => {
    const ports = new FakeConsolePorts();
    ports.topology = async () => {
      throw new Error('GetTemplate <unsupported>');
    };
    running = await startConsole({ ports, port: 0 });
    const page = await call(running.port, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain("Could not read the stack's template: GetTemplate &lt;unsupported&gt;");
  });
});
