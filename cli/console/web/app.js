// The console page: tabs, the live flow and event stream over SSE, and flows (trace).
import { loadDlqs } from './dead-letters.js';
import { $, api, el } from './dom.js';
import { loadCatalog } from './inject.js';

// Tabs
for (const button of document.querySelectorAll('nav button')) {
  button.addEventListener('click', () => showTab(button.dataset.tab));
}
function showTab(name) {
  for (const button of document.querySelectorAll('nav button'))
    button.setAttribute('aria-selected', String(button.dataset.tab === name));
  for (const section of document.querySelectorAll('main section'))
    section.hidden = section.id !== `tab-${name}`;
  if (name === 'dead-letters') loadDlqs();
  if (name === 'inject') loadCatalog();
}

// Live flow and events over SSE; the stream is closed while the tab is hidden, so the server stops polling.
let stream;
const events = [];
const MAX_EVENTS = 500;
function connect() {
  stream = new EventSource('/api/stream');
  $('#live-state').textContent = 'live';
  stream.addEventListener('tap', () => {
    $('#live-state').textContent = 'live: following the bus';
  });
  stream.addEventListener('depths', (message) => showDepths(JSON.parse(message.data)));
  stream.addEventListener('event', (message) => addEvent(JSON.parse(message.data)));
  stream.addEventListener('problem', (message) => {
    const problem = JSON.parse(message.data);
    $('#problems').textContent = `Reading ${problem.what} failed: ${problem.message}`;
  });
  stream.onerror = () => {
    $('#live-state').textContent = 'reconnecting…';
  };
}
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') {
    stream?.close();
    stream = undefined;
    $('#live-state').textContent = 'paused (tab hidden)';
  } else if (!stream) connect();
});
if (document.visibilityState !== 'hidden') connect();

function showDepths(queues) {
  $('#problems').textContent = '';
  const body = $('#depths tbody');
  body.replaceChildren(
    ...queues.map((q) =>
      el(
        'tr',
        { class: q.isDlq ? 'dlq' : 'work', 'data-logical-id': q.logicalId },
        el('td', {}, q.logicalId),
        el('td', {}, q.isDlq ? 'DLQ' : 'work'),
        el('td', { class: 'visible' }, q.visible),
        el('td', { class: 'in-flight' }, q.inFlight),
      ),
    ),
  );
  for (const q of queues) {
    const node = [...document.querySelectorAll('svg g.node')].find(
      (g) => g.dataset.logicalId === q.logicalId,
    );
    if (!node) continue;
    let badge = node.querySelector('text.depth');
    if (!badge) {
      const rect = node.querySelector('rect');
      badge = document.createElementNS('http://www.w3.org/2000/svg', 'text');
      badge.setAttribute('class', 'depth');
      badge.setAttribute(
        'x',
        String(Number(rect.getAttribute('x')) + Number(rect.getAttribute('width')) - 6),
      );
      // Above the box's right corner: inside it, it would cover the end of a long label.
      badge.setAttribute('y', String(Number(rect.getAttribute('y')) - 3));
      badge.setAttribute('text-anchor', 'end');
      node.append(badge);
    }
    badge.textContent = `${q.visible}/${q.inFlight}`;
  }
}

function matches(event) {
  const has = (value, filter) =>
    !filter ||
    String(value ?? '')
      .toLowerCase()
      .includes(filter.toLowerCase());
  return (
    has(event.type, $('#filter-type').value) &&
    has(event.source, $('#filter-source').value) &&
    has(event.correlationId, $('#filter-correlation').value)
  );
}
function eventRow(event) {
  const row = el(
    'tr',
    { class: 'event', 'data-event-id': event.id },
    el('td', {}, event.time),
    el('td', { class: 'type' }, event.type),
    el('td', {}, event.source),
    el('td', {}, event.correlationId ?? ''),
  );
  row.addEventListener('click', () => {
    $('#envelope').classList.remove('muted');
    $('#envelope').textContent = JSON.stringify(event.detail, null, 2);
  });
  return row;
}
// Events counted along the drawn edges they travel (bus → rule → target), as the server matched
// them against the deployed rules' patterns; each new one briefly thickens its edges.
const edgeCounts = new Map();
function countEdges(edges) {
  for (const key of edges ?? []) {
    const count = (edgeCounts.get(key) ?? 0) + 1;
    edgeCounts.set(key, count);
    const path = [...document.querySelectorAll('svg path[data-edge]')].find(
      (p) => p.getAttribute('data-edge') === key,
    );
    if (!path) continue;
    let label = [...document.querySelectorAll('svg text.edge-count')].find(
      (t) => t.getAttribute('data-edge') === key,
    );
    if (!label) {
      const middle = path.getPointAtLength(path.getTotalLength() / 2);
      label = document.createElementNS('http://www.w3.org/2000/svg', 'text');
      label.setAttribute('class', 'edge-count');
      label.setAttribute('data-edge', key);
      label.setAttribute('x', String(middle.x + 3));
      label.setAttribute('y', String(middle.y - 3));
      path.parentNode.appendChild(label);
    }
    label.textContent = String(count);
    path.classList.add('flowing');
    setTimeout(() => path.classList.remove('flowing'), 600);
  }
}

function addEvent(event) {
  countEdges(event.edges);
  events.unshift(event);
  if (events.length > MAX_EVENTS) events.pop();
  if (matches(event)) $('#events tbody').prepend(eventRow(event));
  $('#event-count').textContent = `${events.length} event(s) seen`;
}
function renderEvents() {
  $('#events tbody').replaceChildren(...events.filter(matches).map(eventRow));
}
for (const id of ['#filter-type', '#filter-source', '#filter-correlation'])
  $(id).addEventListener('input', renderEvents);

// Flows: `pipeline trace --json` for one correlation id.
$('#trace-form').addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const out = $('#trace');
  out.replaceChildren('Tracing…');
  try {
    const trace = await api(`/api/trace?id=${encodeURIComponent($('#trace-id').value.trim())}`);
    const start = trace.roots[0] ? Date.parse(trace.roots[0].time) : 0;
    const tree = (nodes) =>
      el(
        'ul',
        {},
        ...nodes.map((n) =>
          el(
            'li',
            { class: 'trace-node', 'data-type': n.type },
            `+${Date.parse(n.time) - start} ms `,
            el('b', {}, n.type),
            ` ${n.source} ${n.streamId}`,
            n.children.length ? tree(n.children) : '',
          ),
        ),
      );
    out.replaceChildren(
      el('h3', {}, `${trace.correlationId}: ${trace.events} event(s)`),
      tree(trace.roots),
      el('h3', {}, 'Sagas'),
      el(
        'ul',
        {},
        ...trace.sagas.map((s) =>
          el(
            'li',
            { class: 'saga', 'data-status': s.state.status },
            `${s.streamId}: ${s.state.status}${s.state.active ? `, waiting in ${JSON.stringify(s.state.active)}` : ''} `,
            el('details', {}, el('summary', {}, 'state'), el('pre', {}, JSON.stringify(s.state, null, 2))),
          ),
        ),
      ),
      el('h3', {}, 'Dead letters'),
      el(
        'ul',
        {},
        ...trace.deadLetters.map((d) =>
          el('li', {}, `${d.queue} ${d.messageId} ${d.type ?? ''}: ${d.reason}`),
        ),
      ),
      el('h3', {}, 'Where it stands'),
      el('ul', {}, ...trace.verdict.map((line) => el('li', { class: 'verdict' }, line))),
    );
  } catch (error) {
    out.replaceChildren(el('p', { class: 'error' }, error.message));
  }
});
