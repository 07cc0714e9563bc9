import type { Target } from '../cloud/target.ts';

/** How an API's execute-api host looks: `<api id>.execute-api.<host>[:port]`. */
const EXECUTE_API_HOST = /^([a-z0-9]+)\.execute-api\./;

/**
 * The URL to call the orders API at. On AWS: the stack's `OrdersApiUrl` as it is. On a local cloud
 * the output names a host `<id>.execute-api.localhost:<port>`, which does not resolve here (glibc
 * resolves `localhost` only): the same API is reached through the emulator's endpoint at the
 * path-addressed form `<endpoint>/_aws/execute-api/<id>/` (MiniStack and LocalStack both serve it).
 */
export function apiBaseUrl(outputUrl: string, target: Pick<Target, 'kind' | 'endpoint'>): string {
  const url = new URL(outputUrl);
  if (target.kind === 'aws' || target.endpoint === undefined) return url.href;
  const id = EXECUTE_API_HOST.exec(url.hostname)?.[1];
  if (id === undefined) return url.href;
  return `${target.endpoint.replace(/\/$/, '')}/_aws/execute-api/${id}/`;
}
