import { request } from 'node:http';
import { e2eStack, startCli } from './cli.ts';

/** One server-sent event, its data parsed. */
export interface Frame {
  readonly event: string;
  readonly data: unknown;
}

/** Follows a console's /api/stream, keeping every frame parsed, until `close`. */
export function followStream(url: string) {
  const frames: Frame[] = [];
  let buffer = '';
  const req = request(new URL('/api/stream', url), (res) => {
    res.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      for (const block of blocks) {
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
        if (event) frames.push({ event, data: JSON.parse(data.join('\n')) });
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return { frames, close: () => req.destroy() };
}

/** Polls `read` every half second until it gives a value (not undefined or false), or fails naming `what`. */
export async function until<T>(
  read: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `pipeline console --port 0 --json` on the e2e stack, once it listens: its URL and the page's token. */
export async function startConsoleCli(extra: readonly string[] = []) {
  const cli = startCli(['console', '--stack', e2eStack, '--port', '0', '--json', ...extra], 'Ctrl-C to stop');
  await cli.ready;
  const { url } = JSON.parse(await until(() => cli.stdout() || undefined, 'the URL')) as { url: string };
  const page = await (await fetch(url)).text();
  const token = /name="console-token" content="([^"]+)"/.exec(page)?.[1] ?? '';
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(new URL(path, url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const getJson = async <T>(path: string): Promise<T> =>
    (await (await fetch(new URL(path, url))).json()) as T;
  return { cli, url, token, post, getJson };
}
