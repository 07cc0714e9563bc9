import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { catalogDocs } from '../../cli/docs/catalog-docs.ts';
import { escapeHtml, html } from '../../cli/docs/html.ts';
import { buildSite } from '../../cli/docs/site.ts';
import { topologyFromTemplate } from '../../cli/docs/topology.ts';
import { readmeTopology, topologyText, withReadmeTopology } from '../../cli/docs/topology-text.ts';
import { repoRoot } from '../../cli/paths.ts';
import { DECLARED_CONTEXTS, pipelineCatalog } from '../../shared/contexts/index.ts';
import type { ContextDefinition } from '../../shared/kit/context.ts';
import { defineCatalog } from '../../shared/kit/events/catalog.ts';
import { defineEvent } from '../../shared/kit/events/define.ts';
import { pipelineTemplate } from './infra-fixture.ts';

const SCRIPT = '<script>alert("owned")</script>';

/** A context whose event carries markup in every text the docs show. */
const hostile: ContextDefinition = {
  name: 'evil',
  catalog: defineCatalog('evil', [
    defineEvent({
      type: 'Injected',
      source: 'evil.api',
      description: `An event ${SCRIPT} & more`,
      version: 1,
      schema: z.object({ note: z.string().describe(`<img src=x onerror="alert(1)">`) }),
      example: { note: `</pre>${SCRIPT}` },
    }),
  ]),
  integrationEvents: [],
  consumers: [{ name: 'reader', entry: 'functions/x.ts', stored: ['Injected'] }],
};

describe('HTML escaping', () => {
  it('escapes the five characters that can open markup or end an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('escapes every interpolated value but keeps markup built by the tag itself', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['<u>', 1]}${undefined}</p>`.text).toBe('<p><b>&lt;i&gt;</b>&lt;u&gt;1</p>');
  });

  it('renders an event description, field description and example containing <script> as text', () => {
    const site = buildSite({ contexts: [hostile], template: { Resources: {} }, stackName: `S${SCRIPT}` });
    const all = site.files.map((f) => f.content).join('\n');
    expect(all).not.toContain('<script');
    expect(all).not.toContain('<img');
    const page = site.files.find((f) => f.path === 'context-evil.html')?.content ?? '';
    expect(page).toContain('An event &lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; more');
    expect(page).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(page).toContain('&lt;/pre&gt;&lt;script&gt;');
  });
});

describe('catalogDocs', () => {
  const docs = catalogDocs(DECLARED_CONTEXTS);
  const events = docs.flatMap((c) => c.events);
  const event = (type: string) => events.find((e) => e.type === type);

  it('documents every event of the pipeline once, on the page of the context that owns it', () => {
    expect(events.map((e) => e.type).sort()).toEqual([...pipelineCatalog.types].sort());
    for (const e of events)
      expect(e.versions.map((v) => v.version)).toEqual(
        pipelineCatalog
          .versions()
          .filter((v) => v.type === e.type)
          .map((v) => v.version),
      );
  });

  it('flattens the fields of a version from its JSON Schema, with type, required and description', () => {
    const v2 = event('OrderPlaced')?.versions.find((v) => v.version === 2);
    const field = (path: string) => v2?.fields.find((f) => f.path === path);
    expect(field('orderId')).toMatchObject({ type: 'string', required: true });
    expect(field('orderId')?.description).not.toBe('');
    expect(field('items')).toMatchObject({ type: 'object[]', required: true });
    expect(field('items[].sku')).toMatchObject({ type: 'string', required: true });
    expect(field('contact.email')).toMatchObject({ type: 'string', required: false });
    expect(field('contact.channels')?.type).toBe('("email" | "sms" | "push")[]');
    expect(JSON.parse(v2?.example ?? '')).toEqual(pipelineCatalog.definitionOf('OrderPlaced').example);
  });

  it('names the consumers of an event from every context definition, with how each gets it', () => {
    const confirmed = event('OrderConfirmed');
    const expected = DECLARED_CONTEXTS.flatMap((c) =>
      c.consumers
        .filter(
          (k) =>
            k.stored?.includes('OrderConfirmed') ||
            k.refuseUnstored?.includes('OrderConfirmed') ||
            k.fromBus?.includes('OrderConfirmed') ||
            (k.fromTopic &&
              c.topics
                ?.find((t) => t.name === k.fromTopic?.topic)
                ?.subscriptions.find((s) => s.name === k.fromTopic?.subscription)
                ?.types.includes('OrderConfirmed')),
        )
        .map((k) => `${c.name}/${k.name}`),
    );
    expect(confirmed?.consumers.map((c) => `${c.context}/${c.consumer}`).sort()).toEqual(expected.sort());
    expect(confirmed?.consumers.find((c) => c.context === 'onboarding')?.delivery).toBe('from-bus');
    expect(confirmed?.consumers.find((c) => c.consumer === 'saga')?.delivery).toBe('refused-unstored');
    expect(confirmed?.producers.join('\n')).toMatch(/outbox puts it on the bus/);
    expect(event('OrderPlaced')?.producers.join('\n')).toMatch(/producers put it on the bus; orders\/saga/);
  });
});

describe('the README topology', () => {
  it('is the text rendering of the synthesized dev template (npm run pipeline -- docs --readme rewrites it)', () => {
    const readme = readFileSync(`${repoRoot}README.md`, 'utf8');
    const generated = topologyText(topologyFromTemplate(pipelineTemplate('dev').toJSON()));
    expect(readmeTopology(readme)).toBe(generated);
  });

  it('names every rule, queue, topic and function of the template', () => {
    const text = topologyText(topologyFromTemplate(pipelineTemplate('dev').toJSON()));
    const resources = Object.entries(
      pipelineTemplate('dev').toJSON().Resources as Record<string, { Type: string }>,
    );
    const shown = ['AWS::Events::Rule', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::Lambda::Function'];
    for (const [id, r] of resources)
      if (shown.includes(r.Type))
        expect(text, id).toMatch(new RegExp(`\\b${id.replace(/[0-9A-F]{8}$/, '')}\\b`));
  });

  it('replaces only what sits between its markers', () => {
    const before = readFileSync(`${repoRoot}README.md`, 'utf8');
    const after = withReadmeTopology(before, 'x\n');
    expect(readmeTopology(after)).toBe('x\n');
    expect(withReadmeTopology(after, readmeTopology(before) ?? '')).toBe(before);
  });
});
