/**
 * Which drawn edges an event on the bus travels: the bus → rule and rule → target edges of every rule
 * whose event pattern (from the deployed template) matches it. What the console counts along the
 * topology as events arrive on its tap. Display only: a pattern using an operator this reader does not
 * evaluate counts nothing rather than a guess.
 */
import type { Topology } from '../docs/topology.ts';
import type { TailedEvent } from '../ops/tail.ts';

/** How the page finds an edge's drawn path (`data-edge`): logical ids are letters and digits. */
export function edgeKey(from: string, to: string): string {
  return `${from}:${to}`;
}

type Json = unknown;

class Unsupported extends Error {}

/**
 * EventBridge's matching of one pattern against one event, for the operators the stack's rules use:
 * literal values (any of a list; an array value matches when any element does), `prefix`, `suffix`,
 * `exists` and `anything-but` (a value or a list). Undefined for a pattern using anything else.
 */
export function patternMatcher(pattern: Json): ((event: Record<string, Json>) => boolean) | undefined {
  const matches = (event: Record<string, Json>) => matchObject(pattern, event);
  try {
    // Probe once so an operator this reader does not know shows up now, not per event.
    matches({});
    return matches;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

function matchObject(pattern: Json, value: Json): boolean {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) throw new Unsupported();
  const fields = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
  // Every field is evaluated (no early exit), so an unknown operator is found on the first event.
  let all = true;
  for (const [name, condition] of Object.entries(pattern)) {
    const field = (fields as Record<string, Json>)[name];
    const ok = Array.isArray(condition) ? matchLeaf(condition, field) : matchObject(condition, field);
    all &&= ok;
  }
  return all;
}

function matchLeaf(conditions: readonly Json[], value: Json): boolean {
  const values = Array.isArray(value) ? value : [value];
  let any = false;
  for (const condition of conditions) {
    if (typeof condition !== 'object' || condition === null) {
      any ||= value !== undefined && values.includes(condition);
      continue;
    }
    const [operator, operand, ...rest] = Object.entries(condition).flat();
    if (rest.length > 0) throw new Unsupported();
    any ||= matchOperator(String(operator), operand, value, values);
  }
  return any;
}

function matchOperator(operator: string, operand: Json, value: Json, values: readonly Json[]): boolean {
  const strings = values.filter((v): v is string => typeof v === 'string');
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') throw new Unsupported();
      return (value !== undefined) === operand;
    case 'prefix':
      if (typeof operand !== 'string') throw new Unsupported();
      return strings.some((v) => v.startsWith(operand));
    case 'suffix':
      if (typeof operand !== 'string') throw new Unsupported();
      return strings.some((v) => v.endsWith(operand));
    case 'anything-but': {
      const excluded = Array.isArray(operand) ? operand : [operand];
      if (excluded.some((e) => typeof e === 'object' && e !== null)) throw new Unsupported();
      return value !== undefined && values.every((v) => !excluded.includes(v));
    }
    default:
      throw new Unsupported();
  }
}

/** An event from the tap as EventBridge matches it against a rule. */
function asBusEvent(event: TailedEvent): Record<string, Json> {
  return {
    source: event.source,
    'detail-type': event.type,
    detail: event.detail,
    ...(event.replayName === undefined ? {} : { 'replay-name': event.replayName }),
  };
}

/** For a deployed topology: the keys of the edges each bus event travels, in template order. */
export function edgeFlow(topology: Topology): (event: TailedEvent) => string[] {
  const rules = topology.nodes.flatMap((node) => {
    if (node.kind !== 'rule' || node.details.eventPattern === undefined) return [];
    const matches = patternMatcher(JSON.parse(node.details.eventPattern));
    if (matches === undefined) return [];
    const edges = topology.edges
      .filter(
        (edge) =>
          (edge.kind === 'rule' && edge.to === node.id) || (edge.kind === 'target' && edge.from === node.id),
      )
      .map((edge) => edgeKey(edge.from, edge.to));
    return [{ matches, edges }];
  });
  return (event) => {
    const busEvent = asBusEvent(event);
    return rules.flatMap((rule) => (rule.matches(busEvent) ? rule.edges : []));
  };
}
