import type { Target } from '../cloud/target.ts';

/** An API's endpoint: `http(s)://<api id>.execute-api.<host>[:port]/`. */
const EXECUTE_API_URL = /^https?:\/\/([a-z0-9]+)\.execute-api\.[^/]+\/?$/;

/**
 * The URL to call the orders API at. On AWS: the stack's `OrdersApiUrl` as it is. On a local cloud
 * the output names a host like `<id>.execute-api.127.0.0.1:<port>` (MiniStack's own host after the
 * API id), which neither resolves nor parses as a URL (a host ending in a number must be an IPv4
 * address): the same API is reached through the emulator's endpoint at the path-addressed form
 * `<endpoint>/_aws/execute-api/<id>/` (MiniStack and LocalStack both serve it).
 */
export function apiBaseUrl(outputUrl: string, target: Pick<Target, 'kind' | 'endpoint'>): string {
  const slashed = outputUrl.endsWith('/') ? outputUrl : `${outputUrl}/`;
  if (target.kind === 'aws' || target.endpoint === undefined) return slashed;
  const id = EXECUTE_API_URL.exec(outputUrl)?.[1];
  if (id === undefined) return slashed;
  return `${target.endpoint.replace(/\/$/, '')}/_aws/execute-api/${id}/`;
}
