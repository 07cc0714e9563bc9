import { html, raw } from '../docs/html.ts';

/** What the page shows before its script runs. */
export interface PageInput {
  readonly stackName: string;
  readonly where: string;
  readonly token: string;
  readonly allowRedrive: boolean;
  /** The topology SVG, drawn by the docs' renderer (which escapes every template value). */
  readonly svg: string;
}

const STYLE = `
body{font:14px system-ui,sans-serif;margin:0;color:#222}
header{background:#232f3e;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
header h1{font-size:16px;margin:0}
nav button{background:none;border:0;color:#ddd;padding:6px 10px;cursor:pointer;font:inherit}
nav button[aria-selected=true]{color:#fff;border-bottom:2px solid #f90}
main{padding:12px 16px}
section[hidden]{display:none}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
tr.dlq td{background:#fbeaea}tr.event{cursor:pointer}tr.event:hover td{background:#eef}
pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:400px;white-space:pre-wrap}
.depth{font:bold 12px monospace;fill:#a00}.muted{color:#777}.problem{color:#a00}
#live-state{margin-left:auto;font-size:12px}
label{margin-right:10px}input,select,textarea{font:inherit}
.svg-wrap{overflow:auto;border:1px solid #ddd}
text.edge-count{font:bold 11px sans-serif;fill:#b35900}
path.flowing{stroke-width:3.5;opacity:1}
.field{margin:6px 0}.field label{display:inline-block;min-width:160px}
.error{color:#a00}`;

/**
 * The console page. Every value is escaped by the `html` tag; the token sits in a meta tag the script
 * reads (never in a URL, where it would leak into logs and history).
 */
export function renderPage(input: PageInput): string {
  const tabs = ['flow', 'events', 'flows', 'dead-letters', 'inject'] as const;
  const titles: Record<(typeof tabs)[number], string> = {
    flow: 'Live flow',
    events: 'Events',
    flows: 'Flows',
    'dead-letters': 'Dead letters',
    inject: 'Inject',
  };
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="console-token" content="${input.token}">
<meta name="allow-redrive" content="${String(input.allowRedrive)}">
<title>${input.stackName} · pipeline console</title>
<style>${raw(STYLE)}</style>
<script type="module" src="/app.js"></script>
</head><body>
<header><h1>pipeline console · ${input.stackName}</h1><span class="muted">${input.where}</span>
<nav>${tabs.map((tab, i) => html`<button type="button" data-tab="${tab}" aria-selected="${String(i === 0)}">${titles[tab]}</button>`)}</nav>
<span id="live-state">connecting…</span></header>
<main>
<section id="tab-flow">
<div class="svg-wrap">${raw(input.svg)}</div>
<h2>Queues</h2><table id="depths"><thead><tr><th>Queue</th><th>Kind</th><th>Visible</th><th>In flight</th></tr></thead><tbody></tbody></table>
<p id="problems" class="problem"></p>
</section>
<section id="tab-events" hidden>
<p><label>Type <input id="filter-type"></label><label>Source <input id="filter-source"></label><label>Correlation id <input id="filter-correlation"></label><span id="event-count" class="muted"></span></p>
<table id="events"><thead><tr><th>Time</th><th>Type</th><th>Source</th><th>Correlation id</th></tr></thead><tbody></tbody></table>
<h3>Envelope</h3><pre id="envelope" class="muted">Click an event to see its envelope.</pre>
</section>
<section id="tab-flows" hidden>
<form id="trace-form"><label>Order id or correlation id <input id="trace-id" size="50"></label> <button>Trace</button></form>
<div id="trace"></div>
</section>
<section id="tab-dead-letters" hidden>
<p><button type="button" id="dlq-refresh">Refresh</button> <span class="muted">${input.allowRedrive ? 'Redrive is on (--allow-redrive): every move is audited.' : 'Redrive is off: start the console with --allow-redrive to move messages.'}</span></p>
<table id="dlqs"><thead><tr><th>DLQ</th><th>Depth</th><th>Oldest</th><th>Sources</th><th></th></tr></thead><tbody></tbody></table>
<div id="dlq-messages"></div>
</section>
<section id="tab-inject" hidden>
<form id="inject-form"><p><label>Type <select id="inject-type"></select></label></p><div id="inject-fields"></div>
<p><label>Correlation id <input id="inject-correlation" placeholder="(a new one)"></label></p>
<button>Validate and send</button></form>
<pre id="inject-result"></pre>
</section>
</main></body></html>`.text;
}
