/**
 * The zod of the product's schemas: `zod/mini`, zod's functional, tree-shakable build, with the English
 * messages of classic zod. Classic zod schemas carry every method (and the JSON Schema converters) on
 * each instance, so esbuild could not drop any of it: ~97 KB of every Lambda bundle; the mini build
 * costs only the checks a bundle uses. Every product schema imports zod from here, so the English
 * locale is configured before any of them parses: the validation reasons consumers log and park in
 * their DLQs ("Too small: expected string to have >=1 characters") stay as classic zod wrote them.
 * Classic `zod` (CLI, tests) configures the same locale on the same global config.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
