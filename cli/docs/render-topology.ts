/**
 * The topology as an inline SVG diagram plus a resource listing, both generated from the
 * {@link Topology} model (no layout library, no script, no network): nodes in columns by role (sources,
 * routing, work queues, functions, dead letters and read models), ordered to shorten edges, each a
 * link to its row in the listing below.
 */
import { type Html, html, slug } from './html.ts';
import type { Topology, TopologyEdge, TopologyNode } from './topology.ts';

const NODE_W = 300;
const NODE_H = 30;
const ROW = 40;
const COL = 350;
const PAD = 30;

/** Where a node is drawn: 0 sources, 1 routing, 2 work queues, 3 functions, 4 DLQs and other tables. */
export function columnOf(node: TopologyNode): number {
  switch (node.kind) {
    case 'bus':
    case 'api':
      return 0;
    case 'table':
      return node.details.stream ? 0 : 4;
    case 'archive':
    case 'rule':
    case 'topic':
      return 1;
    case 'queue':
      return node.deadLetter ? 4 : 2;
    case 'function':
      return 3;
  }
}

/** Columns of node ids, each ordered by the mean position of its neighbours (a few barycentre sweeps). */
function layout(topology: Topology): string[][] {
  const columns: string[][] = [[], [], [], [], []];
  for (const node of topology.nodes) columns[columnOf(node)]?.push(node.id);
  const neighbours = new Map<string, string[]>();
  for (const e of topology.edges) {
    neighbours.set(e.from, [...(neighbours.get(e.from) ?? []), e.to]);
    neighbours.set(e.to, [...(neighbours.get(e.to) ?? []), e.from]);
  }
  const position = new Map<string, number>();
  const place = () =>
    columns.forEach((column) => {
      column.forEach((id, i) => {
        position.set(id, i / Math.max(1, column.length - 1));
      });
    });
  place();
  for (let sweep = 0; sweep < 6; sweep++) {
    for (const column of columns) {
      const weight = new Map(
        column.map((id, i) => {
          const others = (neighbours.get(id) ?? []).filter((n) => !column.includes(n));
          const mean =
            others.length === 0
              ? (position.get(id) ?? i)
              : others.reduce((sum, n) => sum + (position.get(n) ?? 0), 0) / others.length;
          return [id, mean];
        }),
      );
      column.sort((a, b) => (weight.get(a) ?? 0) - (weight.get(b) ?? 0));
      place();
    }
  }
  return columns;
}

const FILL: Readonly<Record<TopologyNode['kind'], string>> = {
  bus: '#ffd9a8',
  archive: '#eee',
  rule: '#ffe9c7',
  topic: '#f8d4e4',
  queue: '#d4e6f8',
  function: '#d9f2d9',
  table: '#e4dcf5',
  api: '#ffd9a8',
};

const STROKE: Readonly<Record<TopologyEdge['kind'], string>> = {
  rule: '#b26b00',
  target: '#b26b00',
  'target-dlq': '#c62828',
  redrive: '#c62828',
  subscription: '#ad1457',
  'subscription-dlq': '#c62828',
  'event-source': '#2e7d32',
  'on-failure': '#c62828',
  archive: '#777',
  env: '#5c6bc0',
  route: '#b26b00',
};

/** What a node is called in the docs: its label, and its kind (DLQs named as such). */
export function kindName(node: TopologyNode): string {
  if (node.kind === 'queue') return `${node.details.fifo ? 'FIFO ' : ''}${node.deadLetter ? 'DLQ' : 'queue'}`;
  if (node.kind === 'api') return 'HTTP API';
  return node.kind === 'bus' ? 'event bus' : node.kind;
}

/** An edge's facts on one line. */
export function edgeFacts(edge: TopologyEdge): string {
  return Object.entries(edge.details)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** The diagram: an inline SVG whose every node links to `#res-<logical id>`. */
export function renderTopologySvg(topology: Topology): Html {
  const columns = layout(topology);
  const tallest = Math.max(...columns.map((c) => c.length));
  const at = new Map<string, { x: number; y: number }>();
  columns.forEach((column, c) => {
    const offset = ((tallest - column.length) * ROW) / 2;
    column.forEach((id, i) => {
      at.set(id, { x: PAD + c * COL, y: PAD + offset + i * ROW });
    });
  });
  const width = PAD * 2 + 4 * COL + NODE_W;
  const height = PAD * 2 + tallest * ROW;
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const edges = topology.edges.map((edge) => {
    const a = at.get(edge.from);
    const b = at.get(edge.to);
    if (!a || !b) return '';
    const y1 = a.y + NODE_H / 2;
    const y2 = b.y + NODE_H / 2;
    let d: string;
    if (b.x > a.x) {
      const mid = (a.x + NODE_W + b.x) / 2;
      d = `M${a.x + NODE_W},${y1} C${mid},${y1} ${mid},${y2} ${b.x},${y2}`;
    } else if (b.x === a.x) {
      const out = a.x + NODE_W + 40;
      d = `M${a.x + NODE_W},${y1} C${out},${y1} ${out},${y2} ${b.x + NODE_W},${y2}`;
    } else {
      d = `M${a.x},${y1} C${a.x - 60},${y1} ${b.x + NODE_W + 60},${y2} ${b.x + NODE_W},${y2}`;
    }
    const dash =
      edge.kind === 'env' ? '4 3' : edge.kind.endsWith('dlq') || edge.kind === 'redrive' ? '6 2' : '';
    const title = `${byId.get(edge.from)?.label} → ${byId.get(edge.to)?.label} (${edge.kind}) ${edgeFacts(edge)}`;
    return html`<path class="edge edge-${edge.kind}" data-edge="${edge.from}:${edge.to}" d="${d}" fill="none" stroke="${STROKE[edge.kind]}" stroke-width="1.2" stroke-dasharray="${dash}" marker-end="url(#arrow)" opacity="${edge.kind === 'env' ? 0.35 : 0.8}"><title>${title}</title></path>`;
  });
  const nodes = topology.nodes.map((node) => {
    const p = at.get(node.id);
    if (!p) return '';
    const fill = node.deadLetter ? '#f9d0cc' : FILL[node.kind];
    return html`<a href="#res-${slug(node.id)}"><g class="node kind-${node.kind}" id="node-${slug(node.id)}" data-logical-id="${node.id}"><title>${kindName(node)} ${node.id}</title><rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="5" fill="${fill}" stroke="#555"/><text x="${p.x + 8}" y="${p.y + 19}">${kindName(node)}: ${node.label}</text></g></a>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Deployed topology" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>
${edges}${nodes}</svg>`;
}

/** Every node as a row (anchor `res-<logical id>`), with its facts and its edges in and out. */
export function renderResourceTable(topology: Topology): Html {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const link = (id: string) => html`<a href="#res-${slug(id)}">${byId.get(id)?.label ?? id}</a>`;
  const rows = topology.nodes.map((node) => {
    const { eventPattern, ...facts } = node.details;
    const out = topology.edges.filter((e) => e.from === node.id);
    const into = topology.edges.filter((e) => e.to === node.id);
    const edgeItem = (e: TopologyEdge, other: string, arrow: string) =>
      html`<li>${arrow} ${link(other)} <span class="muted">(${e.kind}${Object.keys(e.details).length ? `; ${edgeFacts(e)}` : ''})</span></li>`;
    return html`<tr id="res-${slug(node.id)}" class="resource kind-${node.kind}" data-logical-id="${node.id}">
<td><b>${node.label}</b><br><code class="muted">${node.id}</code>${node.name ? html`<br>name: <code>${node.name}</code>` : ''}</td>
<td>${kindName(node)}</td>
<td>${Object.entries(facts).map(([k, v]) => html`<div>${k}: <code>${v}</code></div>`)}${
      eventPattern ? html`<pre>${JSON.stringify(JSON.parse(eventPattern), null, 1)}</pre>` : ''
    }</td>
<td><ul>${into.map((e) => edgeItem(e, e.from, '←'))}${out.map((e) => edgeItem(e, e.to, '→'))}</ul></td></tr>`;
  });
  return html`<table class="resources"><thead><tr><th>resource</th><th>kind</th><th>facts</th><th>connections</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The legend of edge kinds, in the colours the diagram uses. */
export function renderLegend(): Html {
  return html`<p class="legend">${Object.entries(STROKE).map(
    ([kind, colour]) =>
      html`<span><svg width="24" height="8"><line x1="0" y1="4" x2="24" y2="4" stroke="${colour}" stroke-width="2"/></svg> ${kind}</span>`,
  )}</p>`;
}
