import { editDistance } from '../../shared/kit/events/suggest.ts';
import type { QueueRef } from './model.ts';

/** The outcome of looking a queue up by what the user typed. */
export type QueueMatch<Q extends QueueRef> =
  | { readonly kind: 'found'; readonly queue: Q }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly Q[] }
  | { readonly kind: 'none'; readonly nearest: readonly Q[] };

/**
 * Edit distance between `needle` and the closest substring of `haystack` (Sellers' variant of
 * Levenshtein: a match may start and end anywhere in the haystack). "recordr" is 1 away from
 * "OrderPipeline-dev-RecorderWorkDlqQueue…", which a plain edit distance would rank far behind a
 * short unrelated name.
 */
export function substringDistance(needle: string, haystack: string): number {
  let previous = new Array<number>(haystack.length + 1).fill(0);
  for (let i = 1; i <= needle.length; i++) {
    const current = [i];
    for (let j = 1; j <= haystack.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (needle[i - 1] === haystack[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return Math.min(...previous);
}

/** All candidates, nearest to `input` first (by name or logical id, ignoring case). */
export function nearestQueues<Q extends QueueRef>(input: string, candidates: readonly Q[]): Q[] {
  const needle = input.toLowerCase();
  const score = (queue: Q) => {
    const keys = [queue.name, queue.logicalId].filter(Boolean).map((k) => k.toLowerCase());
    return {
      near: Math.min(...keys.map((key) => substringDistance(needle, key))),
      whole: Math.min(...keys.map((key) => editDistance(needle, key))),
    };
  };
  return candidates
    .map((queue) => ({ queue, ...score(queue) }))
    .sort((a, b) => a.near - b.near || a.whole - b.whole || a.queue.name.localeCompare(b.queue.name))
    .map(({ queue }) => queue);
}

/**
 * Finds the queue the user means: its URL, ARN, name or logical id (exactly, then ignoring case),
 * else the only one whose name or logical id contains the input. Several containing it is ambiguous
 * rather than a guess, because the command may move messages.
 */
export function matchQueue<Q extends QueueRef>(input: string, candidates: readonly Q[]): QueueMatch<Q> {
  const wanted = input.trim();
  const exact = candidates.find(
    (q) => q.url === wanted || q.arn === wanted || q.name === wanted || q.logicalId === wanted,
  );
  if (exact) return { kind: 'found', queue: exact };
  const lower = wanted.toLowerCase();
  const keys = (q: Q) => [q.name, q.logicalId].filter(Boolean).map((k) => k.toLowerCase());
  const caseless = candidates.filter((q) => keys(q).includes(lower));
  if (caseless.length === 1 && caseless[0]) return { kind: 'found', queue: caseless[0] };
  const containing = lower ? candidates.filter((q) => keys(q).some((key) => key.includes(lower))) : [];
  if (containing.length === 1 && containing[0]) return { kind: 'found', queue: containing[0] };
  if (containing.length > 1) return { kind: 'ambiguous', candidates: containing };
  return { kind: 'none', nearest: nearestQueues(wanted, candidates) };
}
