// Helpers every view of the console page shares. Events are attacker-controlled input: every value
// reaches the page through textContent or setAttribute, never innerHTML, so markup in an event shows as text.
export const token = document.querySelector('meta[name=console-token]').content;
export const allowRedrive = document.querySelector('meta[name=allow-redrive]').content === 'true';
export const $ = (selector) => document.querySelector(selector);

/** Builds an element with text children (strings become text nodes). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ''));
  return node;
}

export async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json', 'x-console-token': token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const value = await response.json();
  if (!response.ok) throw new Error(value.hint ? `${value.error} ${value.hint}` : value.error);
  return value;
}
