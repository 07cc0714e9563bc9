/**
 * The console page in a real browser (Debian's chromium driven by playwright-core) against the server
 * over in-memory ports: the topology renders, depths arrive over SSE, events stream in and open their
 * envelope, and an event carrying markup shows it as text. Skipped, saying why, when chromium is not
 * installed on a developer's machine; under CI (`CI=true`, set by .ci/run, which installs chromium) a
 * missing chromium fails instead.
 */
import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole } from '../../cli/console/server.ts';
import type { TailedEvent } from '../../cli/ops/tail.ts';
import { localDir } from '../../cli/paths.ts';
import { FakeConsolePorts } from '../fakes/console-ports.ts';
import { CHROMIUM, chromiumFor } from '../support/chromium.ts';

const { available, skipReason } = chromiumFor('the console page');

const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

describe.runIf(available)(`the console page in headless chromium${skipReason}`, { timeout: 60_000 }, () => {
  let browser: Browser;
  let page: Page;
  let ports: FakeConsolePorts;
  let running: RunningConsole;
  const errors: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    ports = new FakeConsolePorts();
    running = await startConsole({
      ports,
      port: 0,
      allowRedrive: true,
      timing: { depthMs: 50, eventWaitSeconds: 0.05, retryMs: 50 },
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors.length = 0;
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(running.url);
  });
  afterEach(async () => {
    await page?.close();
    await running?.close();
    expect(errors).toEqual([]);
  });

  it('draws the topology and shows a depth change pushed over SSE on the queue and in the table', async () => {
    expect(await page.locator('svg g.node[data-logical-id="WorkDlq"]').count()).toBe(1);
    await page.locator('#depths tr[data-logical-id="WorkDlq"]').waitFor();
    ports.queues = ports.queues.map((q) => (q.isDlq ? { ...q, visible: 7 } : q));
    await expect
      .poll(() => page.locator('#depths tr[data-logical-id="WorkDlq"] td.visible').innerText())
      .toBe('7');
    await expect
      .poll(() => page.locator('svg g.node[data-logical-id="WorkDlq"] text.depth').textContent())
      .toBe('7/0');
    mkdirSync(localDir, { recursive: true });
    await page.screenshot({ path: `${localDir}/console-flow.png` });
  });

  it('counts each event along the bus → rule → queue edges its rule takes it on, and no other', async () => {
    const placed = (id: string): TailedEvent => ({
      time: 't',
      type: 'OrderPlaced',
      source: 'orders.api',
      id,
      detail: {},
    });
    const countOn = (edge: string) => page.locator(`svg text.edge-count[data-edge="${edge}"]`);
    ports.emit(placed('c-1'));
    ports.emit({ time: 't', type: 'OrderConfirmed', source: 'orders.saga', id: 'c-2', detail: {} });
    ports.emit(placed('c-3'));

    await expect.poll(() => countOn('PlacedRule:WorkQueue').textContent()).toBe('2');
    expect(await countOn('Bus:PlacedRule').textContent()).toBe('2');
    // The redrive edge carries no bus event.
    expect(await countOn('WorkQueue:WorkDlq').count()).toBe(0);
  });

  it('lists a streamed event, filters by correlation id, and opens its envelope on click', async () => {
    await page.locator('nav button[data-tab="events"]').click();
    ports.emit({
      time: '2026-01-01T00:00:00Z',
      type: 'OrderPlaced',
      source: 'orders.api',
      id: 'e-1',
      correlationId: 'corr-1',
      detail: { id: 'e-1', type: 'OrderPlaced', correlationId: 'corr-1', data: { orderId: 'o-1' } },
    });
    ports.emit({
      time: '2026-01-01T00:00:01Z',
      type: 'OrderConfirmed',
      source: 'orders.saga',
      id: 'e-2',
      correlationId: 'corr-2',
      detail: { id: 'e-2' },
    });
    await expect.poll(() => page.locator('#events tr.event').count()).toBe(2);
    await page.locator('#filter-correlation').fill('corr-1');
    await expect.poll(() => page.locator('#events tr.event').count()).toBe(1);
    await page.locator('#events tr[data-event-id="e-1"]').click();
    const envelope = JSON.parse(await page.locator('#envelope').innerText()) as { data: { orderId: string } };
    expect(envelope.data.orderId).toBe('o-1');
  });

  it('renders an event whose fields carry HTML and script as text, running none of it', async () => {
    await page.locator('nav button[data-tab="events"]').click();
    ports.emit({
      time: 't',
      type: HOSTILE,
      source: HOSTILE,
      id: 'e-x',
      correlationId: HOSTILE,
      detail: { note: HOSTILE },
    });
    await page.locator('#events tr[data-event-id="e-x"]').click();
    expect(await page.locator('#events tr[data-event-id="e-x"] td.type').innerText()).toBe(HOSTILE);
    expect(await page.locator('#envelope').innerText()).toContain(HOSTILE.replaceAll('"', '\\"'));
    expect(await page.locator('#tab-events img, #tab-events script').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
  });

  it('pauses the stream while the tab is hidden and resumes when it shows again', async () => {
    await page.locator('#depths tr[data-logical-id="WorkDlq"]').waitFor();
    const hide = (state: 'hidden' | 'visible') =>
      // A string, not a function: the test compiles without the DOM types the page script uses.
      page.evaluate(
        `Object.defineProperty(document, 'visibilityState', { value: '${state}', configurable: true });
         document.dispatchEvent(new Event('visibilitychange'));`,
      );
    await hide('hidden');
    await expect.poll(() => page.locator('#live-state').innerText()).toContain('paused');
    await expect.poll(() => ports.depthReads, { timeout: 2000 }).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const paused = ports.depthReads;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ports.depthReads).toBe(paused);
    await hide('visible');
    await expect.poll(() => ports.depthReads).toBeGreaterThan(paused);
  });

  it('validates the inject form against the schema before sending, then sends it', async () => {
    await page.locator('nav button[data-tab="inject"]').click();
    await page.locator('#inject-fields input[name="quantity"]').fill('0');
    await page.locator('#inject-form button').click();
    await expect
      .poll(() => page.locator('#inject-result').innerText())
      .toContain('data.quantity: at least 1');
    expect(ports.injected).toEqual([]);
    await page.locator('#inject-fields input[name="quantity"]').fill('2');
    await page.locator('#inject-form button').click();
    await expect.poll(() => ports.injected.length).toBe(1);
    expect(ports.injected[0]).toEqual({ type: 'OrderPlaced', data: { orderId: 'o-1', quantity: 2 } });
  });

  it('redrives a selected dead letter only after the operator confirms', async () => {
    ports.dlqMessages = [
      {
        messageId: 'm-1',
        format: 'envelope',
        envelope: { id: 'e-1', type: 'OrderPlaced' },
        failure: { kind: 'unknown', summary: `bad ${HOSTILE}` },
        receiveCount: 3,
        attributes: {},
        body: '{}',
      },
    ];
    await page.locator('nav button[data-tab="dead-letters"]').click();
    await page.locator('#dlqs button').click();
    await page.locator('tr.dlq-message[data-message-id="m-1"] input').check();
    expect(await page.locator('tr.dlq-message td.reason').innerText()).toBe(`bad ${HOSTILE}`);
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.locator('#redrive').click();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ports.redriven).toEqual([]);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('#redrive').click();
    await page.locator('#redrive-result').waitFor();
    expect(ports.redriven).toEqual([{ queue: 'WorkDlq', ids: ['m-1'] }]);
  });
});
