// Inject: a form from each type's JSON Schema, checked here before it is sent (and again by the catalog).
import { $, api, el } from './dom.js';

let catalog;
export async function loadCatalog() {
  if (catalog) return;
  catalog = await api('/api/catalog');
  const select = $('#inject-type');
  select.replaceChildren(
    ...[...catalog]
      .sort((a, b) => Number(b.intake) - Number(a.intake))
      .map((c) => el('option', { value: c.type }, c.type)),
  );
  select.addEventListener('change', buildForm);
  buildForm();
}
const scalar = (schema) => ['string', 'number', 'integer', 'boolean'].includes(schema.type);
function buildForm() {
  const entry = catalog.find((c) => c.type === $('#inject-type').value);
  const example = entry.example ?? {};
  $('#inject-fields').replaceChildren(
    ...Object.entries(entry.schema.properties ?? {}).map(([name, schema]) => {
      const value = example[name];
      const input = scalar(schema)
        ? el('input', { name, value: value === undefined ? '' : String(value), size: '40' })
        : el('textarea', { name, rows: '4', cols: '60' });
      if (!scalar(schema)) input.value = value === undefined ? '' : JSON.stringify(value, null, 2);
      input.dataset.kind = schema.type ?? 'json';
      return el('div', { class: 'field' }, el('label', {}, name), input, el('span', { class: 'error' }));
    }),
  );
}
/** Errors of `value` against the subset of JSON Schema the catalog's schemas use. */
export function problems(schema, value, path) {
  const found = [];
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (schema.anyOf && !schema.anyOf.some((s) => problems(s, value, path).length === 0))
    return [`${path}: matches none of the allowed shapes`];
  if (schema.const !== undefined && value !== schema.const)
    found.push(`${path}: must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) found.push(`${path}: one of ${schema.enum.join(', ')}`);
  if (schema.type === 'integer' && !Number.isInteger(value)) return [`${path}: a whole number`];
  if (schema.type && schema.type !== 'integer' && schema.type !== kind) return [`${path}: a ${schema.type}`];
  if (kind === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      found.push(`${path}: at least ${schema.minLength} character(s)`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      found.push(`${path}: at most ${schema.maxLength} characters`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value))
      found.push(`${path}: must match ${schema.pattern}`);
  }
  if (kind === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      found.push(`${path}: at least ${schema.minimum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
      found.push(`${path}: more than ${schema.exclusiveMinimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      found.push(`${path}: at most ${schema.maximum}`);
  }
  if (kind === 'array') {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      found.push(`${path}: at least ${schema.minItems} item(s)`);
    if (schema.items)
      for (const [i, item] of value.entries()) found.push(...problems(schema.items, item, `${path}[${i}]`));
  }
  if (kind === 'object') {
    for (const name of schema.required ?? [])
      if (value[name] === undefined) found.push(`${path}.${name}: required`);
    for (const [name, sub] of Object.entries(schema.properties ?? {}))
      if (value[name] !== undefined) found.push(...problems(sub, value[name], `${path}.${name}`));
  }
  return found;
}
function formData() {
  const data = {};
  for (const input of $('#inject-fields').querySelectorAll('input, textarea')) {
    const raw = input.value.trim();
    if (raw === '') continue;
    const kind = input.dataset.kind;
    if (kind === 'string') data[input.name] = input.value;
    else if (kind === 'boolean') data[input.name] = raw === 'true';
    else if (kind === 'number' || kind === 'integer') data[input.name] = Number(raw);
    else
      try {
        data[input.name] = JSON.parse(raw);
      } catch {
        data[input.name] = raw;
      }
  }
  return data;
}
$('#inject-form').addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const type = $('#inject-type').value;
  const entry = catalog.find((c) => c.type === type);
  const data = formData();
  const found = problems(entry.schema, data, 'data');
  const result = $('#inject-result');
  result.className = found.length ? 'error' : '';
  if (found.length) {
    result.textContent = `Not sent:\n${found.join('\n')}`;
    return;
  }
  const correlationId = $('#inject-correlation').value.trim() || undefined;
  try {
    const sent = await api('/api/inject', { type, data, correlationId });
    result.textContent = JSON.stringify(sent, null, 2);
  } catch (error) {
    result.className = 'error';
    result.textContent = error.message;
  }
});
