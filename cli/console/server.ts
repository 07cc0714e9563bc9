/**
 * The console's HTTP layer: node:http, no framework. Bound to 127.0.0.1 only; every request passes the
 * Host guard, every mutating one the POST + token guard; responses carry a CSP that allows this
 * server's own script and nothing inline, so a value that slipped past escaping still could not run.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { html } from '../docs/html.ts';
import { renderTopologySvg } from '../docs/render-topology.ts';
import { CliError } from '../output.ts';
import { edgeFlow } from './edge-flow.ts';
import { CONSOLE_HOST, crossSite, hostAllowed, originAllowed, TOKEN_HEADER, tokenValid } from './guards.ts';
import { renderPage } from './page.ts';
import type { ConsolePorts } from './ports.ts';
import { DEFAULT_TIMING, type FeedTiming, LiveFeed, messageOf } from './sse.ts';

/** How to start the console; only `ports` is required. */
export interface ConsoleOptions {
  readonly ports: ConsolePorts;
  /** 0 (the default) takes any free port. */
  readonly port?: number;
  readonly allowRedrive?: boolean;
  /** The CSRF token; a fresh random one per process unless a test fixes it. */
  readonly token?: string;
  readonly timing?: FeedTiming;
}

/** A started console. */
export interface RunningConsole {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

/** The page's scripts (ES modules, plain JS: nothing to build), read once; only these names are served. */
const SCRIPTS: ReadonlyMap<string, string> = new Map(
  ['app.js', 'dom.js', 'dead-letters.js', 'inject.js'].map((name) => [
    `/${name}`,
    readFileSync(new URL(`./web/${name}`, import.meta.url), 'utf8'),
  ]),
);
const MAX_BODY_BYTES = 1024 * 1024;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type });
  response.end(body);
}

const sendJson = (response: ServerResponse, status: number, value: unknown) =>
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));

/** An error to answer with a status code and a message the page shows as is. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(request.headers['content-type'] ?? ''))
    throw new HttpError(415, 'Send the body as application/json.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `The body is over ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {}
  throw new HttpError(400, 'The body is not a JSON object.');
}

const text = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `Give ${name} as a string.`);
  return value;
};

/** Starts the console on 127.0.0.1 (never another interface) and resolves once it listens. */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const { ports } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const allowRedrive = options.allowRedrive ?? false;
  // The template does not change while the console runs; read it once, to draw it and to count
  // events along its edges. Without it the other views still work, so a failure is shown in place of
  // the drawing (and no edge is counted) rather than stopping the console.
  const topology = await ports.topology().then(
    (read) => ({ read }),
    (error: unknown) => ({ error }),
  );
  const svg =
    'read' in topology
      ? renderTopologySvg(topology.read).text
      : html`<p class="problem">Could not read the stack's template: ${messageOf(topology.error)}</p>`.text;
  const feed = new LiveFeed(
    ports,
    options.timing ?? DEFAULT_TIMING,
    'read' in topology ? edgeFlow(topology.read) : undefined,
  );
  let port = 0;

  const get: Record<string, (url: URL, response: ServerResponse) => Promise<void> | void> = {
    '/': (_url, response) =>
      send(
        response,
        200,
        'text/html; charset=utf-8',
        renderPage({ stackName: ports.stackName, where: ports.where, token, allowRedrive, svg }),
      ),
    '/api/stream': (_url, response) => {
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        connection: 'keep-alive',
      });
      response.write(': connected\n\n');
      feed.subscribe(response);
    },
    '/api/depths': async (_url, response) => sendJson(response, 200, await ports.depths()),
    '/api/trace': async (url, response) =>
      sendJson(response, 200, await ports.trace(text(url.searchParams.get('id'), 'id'))),
    '/api/dlqs': async (_url, response) => sendJson(response, 200, await ports.deadLetters()),
    '/api/dlq-messages': async (url, response) => {
      const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 10) || 10));
      const queue = text(url.searchParams.get('queue'), 'queue');
      sendJson(response, 200, await ports.deadLetterMessages(queue, limit));
    },
    '/api/catalog': (_url, response) => sendJson(response, 200, ports.catalog()),
  };

  const post: Record<string, (body: Record<string, unknown>, response: ServerResponse) => Promise<void>> = {
    '/api/redrive': async (body, response) => {
      if (!allowRedrive)
        throw new HttpError(
          403,
          'Redrive is off.',
          'Restart the console with `pipeline console --allow-redrive`.',
        );
      const ids = body.ids;
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id !== ''))
        throw new HttpError(400, 'Give ids as a non-empty list of message ids.');
      sendJson(response, 200, await ports.redrive(text(body.queue, 'queue'), ids as string[]));
    },
    '/api/inject': async (body, response) => {
      const correlationId =
        body.correlationId === undefined ? undefined : text(body.correlationId, 'correlationId');
      sendJson(response, 200, await ports.inject(text(body.type, 'type'), body.data, correlationId));
    },
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!hostAllowed(request.headers.host, port))
      throw new HttpError(421, 'This console answers to 127.0.0.1 and localhost only.');
    // Another site (or another local app on another port) may make a browser send requests here; it
    // could not read the answers (no CORS), but GETs still poll the target and peek DLQs: refuse them.
    if (!originAllowed(request.headers.origin, port) || crossSite(request.headers['sec-fetch-site']))
      throw new HttpError(403, 'Requests from other sites are refused; open the console URL directly.');
    const url = new URL(request.url ?? '/', `http://${CONSOLE_HOST}:${port}`);
    const mutate = post[url.pathname];
    if (mutate) {
      if (request.method !== 'POST') throw new HttpError(403, 'Changes need a POST from the console page.');
      if (!tokenValid(request.headers[TOKEN_HEADER], token))
        throw new HttpError(403, 'Missing or wrong console token: reload the console page.');
      return mutate(await readJson(request), response);
    }
    const script = SCRIPTS.get(url.pathname);
    const read: ((url: URL, response: ServerResponse) => Promise<void> | void) | undefined = script
      ? (_url, response) => send(response, 200, 'text/javascript; charset=utf-8', script)
      : get[url.pathname];
    if (!read) throw new HttpError(404, `Nothing at ${url.pathname}.`);
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'Only GET here.');
    return read(url, response);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.end();
      if (error instanceof HttpError)
        return sendJson(response, error.status, { error: error.message, hint: error.hint });
      // A CliError is the user's to act on (unknown type, invalid data, no such queue): a bad request.
      if (error instanceof CliError)
        return sendJson(response, 400, { error: error.message, hint: error.hint });
      sendJson(response, 500, { error: messageOf(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, CONSOLE_HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${CONSOLE_HOST}:${port}/`,
    port,
    token,
    close: async () => {
      await feed.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
