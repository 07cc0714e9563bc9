// Dead letters: `pipeline dlq list`, `dlq show`, and `dlq redrive --ids` behind a confirmation.
import { $, allowRedrive, api, el } from './dom.js';

export async function loadDlqs() {
  const body = $('#dlqs tbody');
  try {
    const dlqs = await api('/api/dlqs');
    body.replaceChildren(
      ...dlqs.map((d) => {
        const show = el('button', { type: 'button' }, 'Messages');
        show.addEventListener('click', () => loadMessages(d.logicalId || d.name));
        return el(
          'tr',
          { 'data-dlq': d.name },
          el('td', {}, d.logicalId || d.name),
          el('td', {}, d.depth.total),
          el('td', {}, d.oldest.seconds === undefined ? (d.oldest.note ?? '—') : `${d.oldest.seconds} s`),
          el('td', {}, d.sources.map((s) => s.kind ?? '').join(', ')),
          el('td', {}, show),
        );
      }),
    );
  } catch (error) {
    body.replaceChildren(el('tr', {}, el('td', { class: 'error', colspan: '5' }, error.message)));
  }
}
$('#dlq-refresh').addEventListener('click', loadDlqs);

async function loadMessages(queue) {
  const out = $('#dlq-messages');
  out.replaceChildren(`Reading ${queue}…`);
  try {
    const messages = await api(`/api/dlq-messages?queue=${encodeURIComponent(queue)}&limit=50`);
    const rows = messages.map((m) =>
      el(
        'tr',
        { class: 'dlq-message', 'data-message-id': m.messageId },
        el('td', {}, el('input', { type: 'checkbox', value: m.messageId })),
        el('td', {}, m.messageId),
        el('td', {}, m.envelope?.type ?? m.event?.detailType ?? '?'),
        el('td', { class: 'reason' }, m.failure.summary),
        el('td', {}, m.receiveCount ?? ''),
        el('td', {}, m.ageSeconds === undefined ? '' : `${m.ageSeconds} s`),
      ),
    );
    const redrive = el('button', { type: 'button', id: 'redrive' }, 'Redrive selected…');
    if (!allowRedrive) {
      redrive.disabled = true;
      redrive.title = 'Start the console with --allow-redrive';
    }
    redrive.addEventListener('click', async () => {
      const ids = [...out.querySelectorAll('input:checked')].map((box) => box.value);
      if (ids.length === 0) return;
      if (
        !window.confirm(
          `Move ${ids.length} message(s) of ${queue} back to their source queue? This is audited.`,
        )
      )
        return;
      try {
        const result = await api('/api/redrive', { queue, ids });
        out.append(
          el('p', { id: 'redrive-result' }, `${result.moved.length} moved, ${result.skipped.length} skipped`),
        );
      } catch (error) {
        out.append(el('p', { class: 'error' }, error.message));
      }
    });
    out.replaceChildren(
      el('h3', {}, queue),
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el('tr', {}, ...['', 'Message', 'Type', 'Reason', 'Receives', 'Age'].map((h) => el('th', {}, h))),
        ),
        el('tbody', {}, ...rows),
      ),
      redrive,
    );
  } catch (error) {
    out.replaceChildren(el('p', { class: 'error' }, error.message));
  }
}
