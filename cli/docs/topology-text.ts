/**
 * The topology as plain text, for the README: generated from the template like the site's diagram,
 * so the README's picture of what is deployed cannot drift from the stack (a unit test compares the
 * README's block with this rendering; `pipeline docs --readme` rewrites it).
 */
import type { Topology, TopologyEdge, TopologyNode } from './topology.ts';

/** A leaf of an event pattern or filter policy in a few words: `prefix orders.`, `exists false`. */
function leaf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  return Object.entries(value)
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

/** An event pattern or filter policy on one line: `detail-type: A, B, C … (15 values); detail.x: exists false`. */
export function patternSummary(pattern: unknown, prefix = ''): string {
  if (typeof pattern !== 'object' || pattern === null) return `${prefix}${String(pattern)}`;
  return Object.entries(pattern)
    .map(([key, value]) => {
      const path = `${prefix}${key}`;
      if (!Array.isArray(value)) return patternSummary(value, `${path}.`);
      const shown = value.slice(0, 3).map(leaf).join(', ');
      return `${path}: ${shown}${value.length > 3 ? ` … (${value.length} values)` : ''}`;
    })
    .join('; ');
}

/** `items` after `head`, separated (commas by default), continued on lines indented like the first item. */
function wrapped(head: string, items: readonly string[], separator = ',', width = 110): string[] {
  const lines = [head];
  items.forEach((item, i) => {
    const piece = `${item}${i < items.length - 1 ? separator : ''}`;
    const last = lines.length - 1;
    const current = lines[last] as string;
    if (current.trim().length > head.trim().length && current.length + piece.length + 1 > width)
      lines.push(`${' '.repeat(head.length)}${piece}`);
    else lines[last] = current.endsWith(' ') ? `${current}${piece}` : `${current} ${piece}`;
  });
  return lines;
}

const parse = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

/** The README rendering of a topology: the bus and its rules, HTTP APIs, stream consumers, topics, queue consumers, tables. */
export function topologyText(topology: Topology): string {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const label = (id: string) => byId.get(id)?.label ?? id;
  const from = (id: string, kind: TopologyEdge['kind']) =>
    topology.edges.filter((e) => e.from === id && e.kind === kind);
  const of = (kind: TopologyNode['kind']) => topology.nodes.filter((n) => n.kind === kind);
  const lines: string[] = [];
  const uses = (fn: string, indent: string) => {
    // One name per resource, however many variables point at it (a queue's URL and its ARN).
    const env = [...new Set(from(fn, 'env').map((e) => label(e.to)))];
    if (env.length > 0) lines.push(...wrapped(`${indent}uses: `, env));
  };

  for (const bus of of('bus')) {
    const archives = from(bus.id, 'archive').map((e) => ` ─► archive ${label(e.to)}`);
    lines.push(`event bus ${bus.label}${bus.name ? ` (${bus.name})` : ''}${archives.join('')}`);
    for (const ruleEdge of from(bus.id, 'rule')) {
      const rule = byId.get(ruleEdge.to);
      if (!rule) continue;
      const pattern = patternSummary(parse(rule.details.eventPattern)).split('; ');
      lines.push(...wrapped(`  rule ${rule.label}: `, pattern, ';'));
      const dlqs = from(rule.id, 'target-dlq').map((e) => label(e.to));
      for (const target of from(rule.id, 'target'))
        lines.push(
          `    └─► ${byId.get(target.to)?.kind} ${label(target.to)}${dlqs.length ? ` (undeliverable ─► ${dlqs.join(', ')})` : ''}`,
        );
    }
  }
  for (const api of of('api')) {
    lines.push(`http api ${api.label}${api.name ? ` (${api.name})` : ''}`);
    const routes = from(api.id, 'route');
    for (const route of routes)
      lines.push(
        `  route ${route.details.routeKey} (${route.details.authorizationType ?? 'NONE'}) ─► function ${label(route.to)}`,
      );
    for (const fn of new Set(routes.map((route) => route.to))) uses(fn, '    ');
  }
  for (const table of of('table').filter((t) => t.details.stream)) {
    for (const source of from(table.id, 'event-source')) {
      const failure = from(source.to, 'on-failure').map((e) => ` (on failure ─► ${label(e.to)})`);
      lines.push(`table ${table.label} stream ─► function ${label(source.to)}${failure.join('')}`);
      uses(source.to, '    ');
    }
  }
  for (const topic of of('topic')) {
    const subscriptions = from(topic.id, 'subscription');
    lines.push(`topic ${topic.label}${subscriptions.length === 0 ? ' (no subscriptions)' : ''}`);
    const dlqs = from(topic.id, 'subscription-dlq');
    for (const s of subscriptions) {
      const dlq = dlqs.find((d) => d.details.endpoint === s.to);
      const filter = s.details.filterPolicy ? `filter ${patternSummary(parse(s.details.filterPolicy))} ` : '';
      lines.push(`  ${filter}─► queue ${label(s.to)}${dlq ? ` (undeliverable ─► ${label(dlq.to)})` : ''}`);
    }
  }
  for (const queue of of('queue')) {
    const redrive = from(queue.id, 'redrive').map(
      (e) => ` (after ${e.details.maxReceiveCount} receives ─► ${label(e.to)})`,
    );
    const kind = `${queue.details.fifo ? 'FIFO ' : ''}queue ${queue.label}`;
    const sources = from(queue.id, 'event-source');
    for (const source of sources) {
      lines.push(`${kind} ─► function ${label(source.to)}${redrive.join('')}`);
      uses(source.to, '    ');
    }
    // A work queue no function drains (one a command line tool reads, such as replay staging).
    if (sources.length === 0 && redrive.length > 0) lines.push(`${kind} ─► no function${redrive.join('')}`);
  }
  for (const table of of('table'))
    lines.push(
      `table ${table.label} (${[`keys ${table.details.keys}`, table.details.stream && `stream ${table.details.stream}`].filter(Boolean).join(', ')})`,
    );
  return `${lines.join('\n')}\n`;
}

/** The README markers between which the generated topology sits. */
export const README_TOPOLOGY_START =
  '<!-- topology:start (generated by `npm run pipeline -- docs --readme`; do not edit) -->';
export const README_TOPOLOGY_END = '<!-- topology:end -->';

/** The README's generated block as it stands (the text inside the fence), or undefined without markers. */
export function readmeTopology(readme: string): string | undefined {
  const start = readme.indexOf(README_TOPOLOGY_START);
  const end = readme.indexOf(README_TOPOLOGY_END);
  if (start < 0 || end < start) return undefined;
  const block = readme.slice(start + README_TOPOLOGY_START.length, end);
  return block.replace(/^\s*```text\n/, '').replace(/```\s*$/, '');
}

/** `readme` with its generated block replaced by `text`; throws when the markers are missing. */
export function withReadmeTopology(readme: string, text: string): string {
  const start = readme.indexOf(README_TOPOLOGY_START);
  const end = readme.indexOf(README_TOPOLOGY_END);
  if (start < 0 || end < start) throw new Error('README has no topology markers');
  return `${readme.slice(0, start + README_TOPOLOGY_START.length)}\n\`\`\`text\n${text}\`\`\`\n${readme.slice(end)}`;
}
