/**
 * The generated docs site in a real browser (Debian's chromium driven by playwright-core), opened from
 * file:// as a reader would: every page renders, the topology shows every rule and queue of the
 * synthesized template, and no link or anchor is broken. Skipped, saying why, when chromium is not
 * installed on a developer's machine; under CI (`CI=true`, set by .ci/run, which installs chromium)
 * a missing chromium fails instead.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, type Site, writeSite } from '../../cli/docs/site.ts';
import { localDir } from '../../cli/paths.ts';
import { DECLARED_CONTEXTS, pipelineCatalog } from '../../shared/contexts/index.ts';
import { CHROMIUM, chromiumFor } from '../support/chromium.ts';
import { pipelineTemplate } from './infra-fixture.ts';

const { available, skipReason } = chromiumFor('the docs site');

describe.runIf(available)(
  `the generated docs site in headless chromium${skipReason}`,
  { timeout: 60_000 },
  () => {
    let dir = '';
    let site: Site;
    let browser: Browser;
    let page: Page;
    const template = pipelineTemplate('dev').toJSON() as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const url = (file: string) => pathToFileURL(join(dir, file)).href;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'pipeline-docs-'));
      site = buildSite({ contexts: DECLARED_CONTEXTS, template, stackName: 'OrderPipeline-dev' });
      await writeSite(site, dir);
      browser = await chromium.launch({ executablePath: CHROMIUM });
      page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** Opens a page and fails on any script error (there is no script: one would be an injection). */
    async function open(file: string): Promise<void> {
      const errors: string[] = [];
      const onError = (error: Error) => errors.push(error.message);
      page.on('pageerror', onError);
      const response = await page.goto(url(file));
      page.off('pageerror', onError);
      expect(response?.ok() ?? true, file).toBe(true);
      expect(errors, file).toEqual([]);
    }

    it('renders every page, and every event on the page of its context with its fields and example', async () => {
      const seen: string[] = [];
      for (const file of site.files) {
        await open(file.path);
        expect(await page.locator('h1').isVisible(), file.path).toBe(true);
        for (const section of await page.locator('section.event').all()) {
          const type = (await section.getAttribute('data-event-type')) ?? '';
          seen.push(type);
          expect(await section.locator('h3').innerText()).toContain(type);
          expect(await section.locator('table.fields').count(), type).toBeGreaterThan(0);
          expect(await section.locator('pre.example').first().isVisible(), type).toBe(true);
        }
      }
      expect(seen.sort()).toEqual([...pipelineCatalog.types].sort());
      mkdirSync(localDir, { recursive: true });
      await open('index.html');
      await page.screenshot({ path: `${localDir}/docs-index.png`, fullPage: true });
      await open('context-orders.html');
      await page.screenshot({ path: `${localDir}/docs-context-orders.png` });
    });

    it('draws and lists every rule and queue of the synthesized template', async () => {
      await open('topology.html');
      const expected = Object.entries(template.Resources)
        .filter(([, r]) => r.Type === 'AWS::Events::Rule' || r.Type === 'AWS::SQS::Queue')
        .map(([id]) => id);
      expect(expected.length).toBeGreaterThan(10);
      const drawn = await page
        .locator('svg g.node')
        .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-logical-id')));
      const listed = await page
        .locator('tr.resource')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-logical-id')));
      for (const id of expected) {
        expect(drawn, id).toContain(id);
        expect(listed, id).toContain(id);
        const box = await page.locator(`svg g.node[data-logical-id="${id}"] rect`).boundingBox();
        expect(box?.width ?? 0, id).toBeGreaterThan(0);
      }
      const text = await page.locator('body').innerText();
      for (const [, r] of Object.entries(template.Resources)) {
        const name =
          r.Properties?.QueueName ?? (r.Type === 'AWS::Events::Rule' ? r.Properties?.Name : undefined);
        if (typeof name === 'string') expect(text).toContain(name);
      }
      await page.screenshot({ path: `${localDir}/docs-topology.png` });
    });

    it('has no broken link: every href names a file of the site and every #anchor exists there', async () => {
      const idsOf = new Map<string, Set<string>>();
      const ids = async (file: string) => {
        const known = idsOf.get(file);
        if (known) return known;
        await page.goto(url(file));
        const found = new Set(await page.locator('[id]').evaluateAll((els) => els.map((e) => e.id)));
        idsOf.set(file, found);
        return found;
      };
      const queue = ['index.html'];
      const visited = new Set<string>();
      let checked = 0;
      while (queue.length > 0) {
        const file = queue.shift() as string;
        if (visited.has(file)) continue;
        visited.add(file);
        await page.goto(url(file));
        const hrefs = await page
          .locator('a[href]')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
        for (const href of hrefs) {
          const target = new URL(href, url(file));
          expect(target.protocol, `${file}: ${href} leaves the site`).toBe('file:');
          const path = fileURLToPath(target);
          expect(existsSync(path), `${file}: ${href}`).toBe(true);
          const targetFile = path.slice(dir.length + 1);
          if (target.hash)
            expect(await ids(targetFile), `${file}: ${href}`).toContain(
              decodeURIComponent(target.hash.slice(1)),
            );
          queue.push(targetFile);
          checked += 1;
        }
      }
      expect([...visited].sort()).toEqual(site.files.map((f) => f.path).sort());
      expect(checked).toBeGreaterThan(100);
    });
  },
);
