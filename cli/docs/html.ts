/**
 * HTML built so that nothing is left unescaped by mistake: the `html` tag escapes every interpolated
 * value unless it is markup this module produced (an {@link Html}). Event descriptions, examples and
 * template values are user text; a `<script>` in any of them must show as text, never run.
 */

const SAFE = Symbol('html');

/** Markup already escaped (built by {@link html} or {@link raw}). */
export interface Html {
  readonly [SAFE]: true;
  readonly text: string;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Marks trusted markup (constant strings of this code only; never user text). */
export function raw(text: string): Html {
  return { [SAFE]: true, text };
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && SAFE in value;
}

function part(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (isHtml(value)) return value.text;
  if (Array.isArray(value)) return value.map(part).join('');
  return escapeHtml(String(value));
}

/** Template tag: literal parts are markup, interpolations are escaped (arrays joined, Html kept). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += part(value) + (strings[i + 1] ?? '');
  });
  return raw(out);
}

/**
 * An id usable as a fragment (`#…`) and a file name: letters, digits, `-`, `_` and `.` kept, anything
 * else replaced by `-`, so a link built from a name and the anchor it targets always agree.
 */
export function slug(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '-');
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#fafbfc}
header{background:#232f3e;color:#fff;padding:.6rem 1.5rem}header a{color:#fff;margin-right:1rem}
main{padding:1rem 1.5rem;max-width:1400px}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f4}code,pre{font:13px ui-monospace,monospace}pre{background:#f0f2f5;padding:.5rem;overflow:auto;max-width:100%}
.event{border:1px solid #d0d7de;background:#fff;border-radius:6px;padding:.2rem 1rem;margin:1rem 0}
.muted{color:#57606a}.tag{display:inline-block;background:#ddf4ff;border-radius:4px;padding:0 .4rem;margin-right:.3rem}
svg text{font:12px system-ui,sans-serif}.legend span{margin-right:1rem}
`;

/** A whole page: title, navigation (relative links), body. */
export function page(options: {
  title: string;
  nav: readonly { href: string; label: string }[];
  body: Html;
}): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${options.title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${raw(STYLE)}</style></head>
<body><header>${options.nav.map((n) => html`<a href="${n.href}">${n.label}</a>`)}</header>
<main>${options.body}</main></body></html>
`.text;
}
