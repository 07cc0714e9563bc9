/**
 * `pipeline console` against the deployed stack, through its HTTP and SSE endpoints as the page uses
 * them and, when chromium is installed, through the page itself: an order placed through the inject
 * form arrives on the event stream and is followed to OrderConfirmed in the flow view; a poison message
 * shows in its DLQ with its reason, is refused redrive without --allow-redrive and redriven with it;
 * Ctrl-C removes the tap the console put on the bus. Screenshots of each view go to .local/ (not committed).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localDir } from '../../cli/paths.ts';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { e2eStack, runCli } from '../support/cli.ts';
import { followStream, startConsoleCli, until } from '../support/console.ts';

const outputs = inject('stackOutputs');
const busName = outputs[OUTPUTS.busName] as string;
const recorderDlqUrl = outputs[OUTPUTS.recorderDlqUrl] as string;
const recorderDlqName = recorderDlqUrl.split('/').pop() as string;
const CHROMIUM = process.env.PIPELINE_CHROMIUM ?? '/usr/bin/chromium';
const withChromium = existsSync(CHROMIUM);
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

interface DecodedJson {
  messageId: string;
  body: string;
  failure: { summary: string };
}

describe('pipeline console against the deployed stack', () => {
  let console_: Awaited<ReturnType<typeof startConsoleCli>>;
  let browser: Browser | undefined;
  const marker = `console-poison-${randomUUID()}`;

  beforeAll(async () => {
    expect(runCli(['seed', '--stack', e2eStack]).status).toBe(0);
    console_ = await startConsoleCli();
    // A detail that is not an envelope, carrying markup: the recorder fails it until it is dead-lettered.
    await new EventBridgeClient({}).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: 'orders.e2e',
            DetailType: 'OrderPlaced',
            Detail: JSON.stringify({ marker, note: HOSTILE }),
          },
        ],
      }),
    );
    if (withChromium) browser = await chromium.launch({ executablePath: CHROMIUM });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    console_?.cli.child.kill('SIGKILL');
  });

  const screenshot = async (page: Page, name: string) => {
    mkdirSync(localDir, { recursive: true });
    await page.screenshot({ path: `${localDir}/console-e2e-${name}.png`, fullPage: true });
  };

  it('serves on 127.0.0.1 a page with the deployed topology and a token', async () => {
    expect(console_.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(console_.token).toMatch(/^[\w-]{20,}$/);
    const page = await (await fetch(console_.url)).text();
    const depths = await console_.getJson<{ url: string; logicalId: string }[]>('/api/depths');
    const dlq = depths.find((q) => q.url === recorderDlqUrl);
    expect(dlq).toBeDefined();
    expect(page).toContain(`data-logical-id="${dlq?.logicalId}"`);
  });

  it('streams depths and the events of an order injected through it, then traces the flow', async () => {
    const stream = followStream(console_.url);
    try {
      await until(() => stream.frames.some((f) => f.event === 'tap'), 'the bus tap');
      const depths = await until(() => stream.frames.find((f) => f.event === 'depths'), 'depths');
      expect((depths.data as { isDlq: boolean }[]).some((q) => q.isDlq)).toBe(true);
      const catalog = await console_.getJson<{ type: string; example: object }[]>('/api/catalog');
      const example = catalog.find((c) => c.type === 'OrderPlaced')?.example;
      const correlationId = `console-${randomUUID()}`;
      const data = { ...example, orderId: `o-${randomUUID()}` };
      const reply = await console_.post(
        '/api/inject',
        { type: 'OrderPlaced', data, correlationId },
        { 'x-console-token': console_.token },
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
        const found = await console_.getJson<{
          roots: { id: string }[];
          sagas: { state: { status: string } }[];
        }>(`/api/trace?id=${correlationId}`);
        return found.sagas.some((s) => ['completed', 'cancelled'].includes(s.state.status)) && found;
      }, 'the saga to finish');
      expect(trace.roots.map((r) => r.id)).toContain(sent?.eventId);
      const byOrder = await console_.getJson<{ correlationId: string }>(`/api/trace?id=${data.orderId}`);
      expect(byOrder.correlationId).toBe(correlationId);
    } finally {
      stream.close();
    }
  });

  it('shows the poison message in its DLQ with its reason, and refuses redrive without --allow-redrive', async () => {
    const dlqs = await console_.getJson<{ url: string }[]>('/api/dlqs');
    expect(dlqs.map((d) => d.url)).toContain(recorderDlqUrl);
    const poison = await until(
      async () => {
        const messages = await console_.getJson<DecodedJson[]>(
          `/api/dlq-messages?queue=${recorderDlqName}&limit=50`,
        );
        return messages.find((m) => m.body.includes(marker));
      },
      'the poison message in the recorder DLQ',
      150_000,
    );
    expect(poison.failure.summary).not.toBe('');
    const refused = await console_.post(
      '/api/redrive',
      { queue: recorderDlqName, ids: [poison.messageId] },
      { 'x-console-token': console_.token },
    );
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { hint: string }).hint).toContain('--allow-redrive');
    expect((await console_.post('/api/inject', { type: 'OrderPlaced', data: {} })).status).toBe(403);
  }, 180_000);

  it.runIf(withChromium)(
    'places an order through the inject form, sees it on the stream and follows it to OrderConfirmed',
    async () => {
      const page = await (browser as Browser).newPage({ viewport: { width: 1500, height: 1000 } });
      await page.goto(console_.url);
      await page.locator('#live-state', { hasText: 'following the bus' }).waitFor({ timeout: 60_000 });
      await page.locator('#depths tbody tr').first().waitFor();
      await screenshot(page, 'flow');
      const correlationId = `console-page-${randomUUID()}`;
      await page.locator('nav button[data-tab="inject"]').click();
      await page.locator('#inject-type').selectOption('OrderPlaced');
      await page.locator('#inject-fields input[name="orderId"]').fill(`o-page-${randomUUID()}`);
      await page.locator('#inject-correlation').fill(correlationId);
      await page.locator('#inject-form button').click();
      await page.locator('#inject-result', { hasText: 'accepted' }).waitFor();
      await screenshot(page, 'inject');
      await page.locator('nav button[data-tab="events"]').click();
      await page.locator('#filter-correlation').fill(correlationId);
      await page.locator('#events tr.event').first().waitFor({ timeout: 60_000 });
      await page.locator('#events tr.event').first().click();
      expect(await page.locator('#envelope').innerText()).toContain(correlationId);
      await screenshot(page, 'events');
      await page.locator('nav button[data-tab="flows"]').click();
      await page.locator('#trace-id').fill(correlationId);
      await until(
        async () => {
          await page.locator('#trace-form button').click();
          await page.locator('#trace h3, #trace .error').first().waitFor();
          return (await page.locator('li.trace-node[data-type="OrderConfirmed"]').count()) > 0;
        },
        'OrderConfirmed in the flow view',
        90_000,
      );
      await screenshot(page, 'flows');
      await page.close();
    },
    150_000,
  );

  it('redrives the poison message after a confirmation when started with --allow-redrive', async () => {
    const allowed = await startConsoleCli(['--allow-redrive']);
    try {
      const messages = await allowed.getJson<DecodedJson[]>(
        `/api/dlq-messages?queue=${recorderDlqName}&limit=50`,
      );
      const poison = messages.find((m) => m.body.includes(marker));
      expect(poison).toBeDefined();
      if (browser) {
        const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
        await page.goto(allowed.url);
        await page.locator('nav button[data-tab="dead-letters"]').click();
        await page.locator(`#dlqs tr[data-dlq="${recorderDlqName}"] button`).click();
        const row = page.locator(`tr.dlq-message[data-message-id="${poison?.messageId}"]`);
        await row.locator('input').check();
        await screenshot(page, 'dead-letters');
        page.once('dialog', (dialog) => void dialog.accept());
        await page.locator('#redrive').click();
        expect(await page.locator('#redrive-result').innerText()).toMatch(/^1 moved/);
        expect(await page.evaluate('window.__pwned')).toBeUndefined();
        await page.close();
      } else {
        const moved = await allowed.post(
          '/api/redrive',
          { queue: recorderDlqName, ids: [poison?.messageId] },
          { 'x-console-token': allowed.token },
        );
        expect(((await moved.json()) as { moved: unknown[] }).moved).toHaveLength(1);
      }
    } finally {
      allowed.cli.child.kill('SIGINT');
      expect((await allowed.cli.done).status).toBe(0);
    }
  }, 120_000);

  it('tells the user to run `pipeline up` when the stack is not deployed', () => {
    const run = runCli(['console', '--stack', 'NoSuchStack', '--port', '0']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Stack NoSuchStack is not deployed[\s\S]*pipeline up/);
  });

  it('stops on Ctrl-C and removes the rule it put on the bus', async () => {
    console_.cli.child.kill('SIGINT');
    expect((await console_.cli.done).status).toBe(0);
    const rules = await new EventBridgeClient({}).send(
      new ListRulesCommand({ EventBusName: busName, NamePrefix: 'pipeline-tail-' }),
    );
    expect(rules.Rules ?? []).toEqual([]);
  });
});
