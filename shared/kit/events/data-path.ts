/**
 * The values at `path` of an event's data (keys, `*` for every element of an array): one value for a
 * path without `*`, none where the path ends early. Own properties only, so a path never reads what
 * an object inherits. Personal fields and topic attributes both name their data this way.
 */
export function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return [value];
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') return Array.isArray(value) ? value.flatMap((item) => valuesAt(item, rest)) : [];
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, head)) return [];
  return valuesAt((value as Record<string, unknown>)[head], rest);
}
