/**
 * `pipeline console` against the deployed stack, through its HTTP and SSE endpoints as the page uses
 * them: an order injected through the console arrives on its event stream, depths stream live, the flow
 * is traced, dead letters are listed, redrive is refused without --allow-redrive, and Ctrl-C removes
 * the tap it put on the bus. When chromium is installed, the page itself shows the event too.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localDir } from '../../cli/paths.ts';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { e2eStack, startCli } from '../support/cli.ts';

const busName = inject('stackOutputs')[OUTPUTS.busName] as string;
const CHROMIUM = process.env.PIPELINE_CHROMIUM ?? '/usr/bin/chromium';

interface Frame {
  readonly event: string;
  readonly data: unknown;
}

/** Follows /api/stream, keeping every frame parsed. */
function follow(url: string) {
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
  req.end();
  return { frames, close: () => req.destroy() };
}

async function until<T>(
  read: () => T | undefined | Promise<T | undefined>,
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

describe('pipeline console against the deployed stack', () => {
  let console_: ReturnType<typeof startCli>;
  let url = '';
  let token = '';

  beforeAll(async () => {
    console_ = startCli(['console', '--stack', e2eStack, '--port', '0', '--json'], 'Ctrl-C to stop');
    await console_.ready;
    url = (JSON.parse(await until(() => console_.stdout() || undefined, 'the URL')) as { url: string }).url;
    const page = await (await fetch(url)).text();
    token = /name="console-token" content="([^"]+)"/.exec(page)?.[1] ?? '';
  });

  afterAll(() => {
    console_?.child.kill('SIGKILL');
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(new URL(path, url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('serves on 127.0.0.1 a page with the deployed topology and a token', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(token).toMatch(/^[\w-]{20,}$/);
    const page = await (await fetch(url)).text();
    expect(page).toContain('svg');
    const recorderDlq = inject('stackOutputs')[OUTPUTS.recorderDlqUrl] as string;
    const depths = (await (await fetch(new URL('/api/depths', url))).json()) as {
      url: string;
      logicalId: string;
    }[];
    const dlq = depths.find((q) => q.url === recorderDlq);
    expect(dlq).toBeDefined();
    expect(page).toContain(`data-logical-id="${dlq?.logicalId}"`);
  });

  it('streams depths and the events of an order injected through it, then traces the flow', async () => {
    const stream = follow(url);
    try {
      await until(() => stream.frames.some((f) => f.event === 'tap'), 'the bus tap');
      const depths = await until(() => stream.frames.find((f) => f.event === 'depths'), 'depths');
      expect((depths.data as { isDlq: boolean }[]).some((q) => q.isDlq)).toBe(true);

      const correlationId = `console-${randomUUID()}`;
      const catalog = (await (await fetch(new URL('/api/catalog', url))).json()) as {
        type: string;
        example: Record<string, unknown>;
      }[];
      const placed = catalog.find((c) => c.type === 'OrderPlaced');
      const reply = await post(
        '/api/inject',
        { type: 'OrderPlaced', data: { ...placed?.example, orderId: `o-${randomUUID()}` }, correlationId },
        { 'x-console-token': token },
      );
      expect(reply.status).toBe(200);
      const [sent] = (await reply.json()) as { eventId: string; status: string }[];
      expect(sent?.status).toBe('accepted');

      const seen = await until(
        () =>
          stream.frames.find((f) => f.event === 'event' && (f.data as { id: string }).id === sent?.eventId),
        'the injected event on the stream',
      );
      expect(seen.data).toMatchObject({ type: 'OrderPlaced', correlationId });

      const trace = await until(async () => {
        const found = (await (await fetch(new URL(`/api/trace?id=${correlationId}`, url))).json()) as {
          roots: { id: string }[];
          sagas: { state: { status: string } }[];
        };
        return found.sagas.some((s) => ['completed', 'cancelled'].includes(s.state.status))
          ? found
          : undefined;
      }, 'the saga to finish');
      expect(trace.roots.map((r) => r.id)).toContain(sent?.eventId);
    } finally {
      stream.close();
    }
  });

  it('lists every DLQ and refuses redrive without --allow-redrive', async () => {
    const dlqs = (await (await fetch(new URL('/api/dlqs', url))).json()) as { url: string }[];
    expect(dlqs.map((d) => d.url)).toContain(inject('stackOutputs')[OUTPUTS.recorderDlqUrl]);
    const refused = await post(
      '/api/redrive',
      { queue: 'Recorder', ids: ['m-1'] },
      { 'x-console-token': token },
    );
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { hint: string }).hint).toContain('--allow-redrive');
    expect((await post('/api/inject', { type: 'OrderPlaced', data: {} })).status).toBe(403);
  });

  it.runIf(existsSync(CHROMIUM))(
    'shows an injected event in the page stream and opens its envelope',
    async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM });
      try {
        const page = await browser.newPage();
        await page.goto(url);
        await page.locator('#live-state', { hasText: 'following the bus' }).waitFor({ timeout: 60_000 });
        await page.locator('nav button[data-tab="events"]').click();
        const correlationId = `console-page-${randomUUID()}`;
        await page.locator('nav button[data-tab="inject"]').click();
        await page.locator('#inject-type').selectOption('OrderPlaced');
        await page.locator('#inject-correlation').fill(correlationId);
        await page.locator('#inject-form button').click();
        await page.locator('#inject-result', { hasText: 'accepted' }).waitFor();
        await page.locator('nav button[data-tab="events"]').click();
        await page.locator('#filter-correlation').fill(correlationId);
        await page.locator('#events tr.event').first().waitFor({ timeout: 60_000 });
        await page.locator('#events tr.event').first().click();
        expect(await page.locator('#envelope').innerText()).toContain(correlationId);
        mkdirSync(localDir, { recursive: true });
        await page.screenshot({ path: `${localDir}/console-e2e-events.png` });
      } finally {
        await browser.close();
      }
    },
  );

  it('stops on Ctrl-C and removes the rule it put on the bus', async () => {
    console_.child.kill('SIGINT');
    const run = await console_.done;
    expect(run.status).toBe(0);
    const rules = await new EventBridgeClient({}).send(
      new ListRulesCommand({ EventBusName: busName, NamePrefix: 'pipeline-tail-' }),
    );
    expect(rules.Rules ?? []).toEqual([]);
  });
});
