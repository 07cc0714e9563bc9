import { timingSafeEqual } from 'node:crypto';

/** The only interface the console listens on: a page on it is reachable from this machine alone. */
export const CONSOLE_HOST = '127.0.0.1';

/** Header a mutating request carries the page's token in (a cross-site form cannot set it). */
export const TOKEN_HEADER = 'x-console-token';

/** The origins the page is served from; `localhost` is accepted because browsers resolve it here. */
export function allowedHosts(port: number): string[] {
  return [`${CONSOLE_HOST}:${port}`, `localhost:${port}`];
}

/**
 * DNS-rebinding guard: a hostile site can point its own name at 127.0.0.1, and the browser then sends
 * that name as Host. Only requests naming this server by loopback address or `localhost` are served.
 */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

/**
 * A browser sends Origin on cross-site POSTs; when present it must be this server. Absent Origin (curl,
 * some same-origin requests) is left to the token check.
 */
export function originAllowed(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return allowedHosts(port).some((host) => origin.toLowerCase() === `http://${host}`);
}

/**
 * Fetch metadata: browsers mark a request another site caused (`cross-site`, or `same-site` for another
 * port of this machine); typing the URL is `none`, the page's own requests `same-origin`.
 */
export function crossSite(fetchSite: string | string[] | undefined): boolean {
  return fetchSite === 'cross-site' || fetchSite === 'same-site';
}

/** CSRF guard: the per-process token, compared in constant time so its bytes cannot be probed. */
export function tokenValid(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
