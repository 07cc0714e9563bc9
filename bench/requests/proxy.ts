/**
 * A transparent HTTP proxy in front of the emulator that records every AWS request passing through
 * it. The bench starts MiniStack with AWS_ENDPOINT_URL pointing here: MiniStack hands that variable to
 * every Lambda worker it spawns (host environment before its own default), so the SDK calls the
 * product's functions make cross this proxy, as do the load driver's. Nothing is changed on the way;
 * requests are forwarded byte for byte, host header included.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { classify, type RequestRecord } from './classify.ts';

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** One forwarded exchange, as an observer sees it (after the answer went back to the caller). */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  readonly status: number;
}

export class CountingProxy {
  /** Every request seen since the last {@link CountingProxy.take}. */
  private records: RequestRecord[] = [];
  private upstream: URL | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  /** Requests the proxy could not forward (the emulator was down, …). */
  failures = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly observe: ((exchange: Exchange) => void) | undefined,
  ) {}

  /**
   * Listens on 127.0.0.1 (a free port); set the upstream before the first request arrives.
   * `observe`, when given, sees every forwarded exchange instead of the proxy keeping cost records
   * (the e2e tier's IAM recording reads request parameters those records do not keep, and nobody
   * would take the records there).
   */
  static async start(observe?: (exchange: Exchange) => void): Promise<CountingProxy> {
    let proxy: CountingProxy | undefined;
    const server = createServer((req, res) => {
      void proxy?.forward(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new CountingProxy(server, `http://127.0.0.1:${port}`, observe);
    return proxy;
  }

  /** Where requests go (the emulator's endpoint). */
  setUpstream(endpoint: string): void {
    this.upstream = new URL(endpoint);
  }

  /** Returns the records collected so far and starts afresh. */
  take(): RequestRecord[] {
    const taken = this.records;
    this.records = [];
    return taken;
  }

  /** Records since the last take, without clearing (to see whether traffic has settled). */
  get pending(): number {
    return this.records.length;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async forward(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const upstream = this.upstream;
    try {
      const body = await readAll(req);
      if (!upstream) throw new Error('no upstream set');
      const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>(
        (resolve, reject) => {
          const out = httpRequest(
            {
              host: upstream.hostname,
              port: upstream.port,
              method: req.method,
              path: req.url,
              headers: req.headers,
              agent: this.agent,
            },
            (response) => {
              readAll(response)
                .then((data) =>
                  resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }),
                )
                .catch(reject);
            },
          );
          out.on('error', reject);
          out.end(body);
        },
      );
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      try {
        if (!this.observe) {
          this.records.push(
            classify(
              { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body },
              answer,
              performance.now(),
            ),
          );
        }
        this.observe?.({
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: req.headers,
          body,
          status: answer.status,
        });
      } catch {
        // classification and observers must never affect the traffic
      }
    } catch (error) {
      this.failures += 1;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bench proxy: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
