/**
 * Dummy environment for loading a function bundle outside Lambda. Each function parses its config
 * with a zod schema at module scope (functions/<name>/config.ts, shared/kit/consumer/config.ts…), so a
 * bundle only initialises when every required variable is present. The variables are read from the
 * schemas of the bundle's own input files, so a function added later needs no change here.
 */

/** One environment variable a config schema declares. */
export interface DeclaredVariable {
  readonly name: string;
  /** The schema text of this key (up to the next key), used to pick a value of the right shape. */
  readonly schema: string;
}

// A key at the start of a line or right after `{`/`,` (one-line `.extend({ TABLE_NAME: z… })`).
const KEY = /(?:^|[{,])[ \t]*([A-Z][A-Z0-9_]{1,}):\s*z\b/gm;

/**
 * Where the schema of a key that starts at `from` ends: the `,` or the closing bracket of its object
 * at bracket depth 0, skipping comments, string and template literals, so a `.transform((…) => { … })` keeps
 * the `.optional()` chained after it.
 */
function schemaEnd(source: string, from: number): number {
  let depth = 0;
  for (let i = from; i < source.length; i++) {
    const c = source[i] as string;
    const comment = c === '/' ? source[i + 1] : undefined;
    if (comment === '/' || comment === '*') {
      const close = comment === '/' ? source.indexOf('\n', i) : source.indexOf('*/', i + 2) + 1;
      if (close <= 0) return source.length;
      i = close;
    } else if (c === "'" || c === '"' || c === '`') {
      const close = source.indexOf(c, i + 1);
      if (close === -1) return source.length;
      i = close;
    } else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      if (depth === 0) return i;
      depth--;
    } else if (c === ',' && depth === 0) return i;
  }
  return source.length;
}

/** The `NAME: z…` keys of every zod object in `source`, with their schema text. */
export function declaredVariables(source: string): DeclaredVariable[] {
  const matches = [...source.matchAll(KEY)];
  return matches.map((match, i) => {
    const start = match.index ?? 0;
    const nextKey = matches[i + 1]?.index ?? source.length;
    const valueStart = start + match[0].length - 1; // at the `z`
    const end = Math.min(nextKey, schemaEnd(source, valueStart));
    return { name: match[1] as string, schema: source.slice(start, end) };
  });
}

/** First literal of `const NAME = ['a', …]` in any of `sources` (a `z.enum(NAME)` elsewhere). */
function firstLiteralOf(constant: string, sources: readonly string[]): string | undefined {
  const pattern = new RegExp(`\\b${constant}\\s*(?::[^=]+)?=\\s*\\[\\s*['"]([^'"]+)['"]`);
  for (const source of sources) {
    const found = pattern.exec(source);
    if (found) return found[1];
  }
  return undefined;
}

/**
 * A value that satisfies the schema of one variable, or `undefined` when it may stay unset.
 * `sources` resolve `z.enum(CONSTANT)` to the constant's first value.
 */
export function dummyValue(variable: DeclaredVariable, sources: readonly string[] = []): string | undefined {
  const { name, schema } = variable;
  // Classic chains (`.optional()`, `.default(…)`) and zod/mini's wrappers (`z.optional(…)`, `z._default(…)`).
  if (/\.optional\(\)|\.default\(|\bz\.optional\(|\bz\._default\(/.test(schema)) return undefined;
  const literal = /z\.enum\(\s*\[\s*['"]([^'"]+)['"]/.exec(schema);
  if (literal) return literal[1];
  const constant = /z\.enum\(\s*([A-Za-z_$][\w$]*)\s*\)/.exec(schema)?.[1];
  const resolved = constant ? firstLiteralOf(constant, sources) : undefined;
  if (resolved) return resolved;
  if (/z\.coerce\.number|z\.number/.test(schema)) return '1';
  if (/z\.coerce\.boolean|z\.boolean|z\.stringbool/.test(schema)) return 'true';
  if (/_URL$/.test(name) || /\.url\(/.test(schema)) {
    return `https://sqs.us-east-1.amazonaws.com/000000000000/bench-${name.toLowerCase()}`;
  }
  if (/_ARN$/.test(name)) return `arn:aws:sns:us-east-1:000000000000:bench-${name.toLowerCase()}`;
  return `bench-${name.toLowerCase().replace(/_/g, '-')}`;
}

/**
 * Environment a bundle built from `sources` needs at init: what Lambda itself sets (region, function
 * name, memory), what every PipelineFunction sets (Powertools), and a dummy for each required
 * variable of the schemas found. Credentials are fake: no call is made during init.
 */
export function initEnvironment(functionName: string, sources: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: '000000000000',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    POWERTOOLS_SERVICE_NAME: functionName,
    POWERTOOLS_METRICS_NAMESPACE: 'OrderPipeline',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const source of sources) {
    for (const variable of declaredVariables(source)) {
      if (variable.name in env) continue;
      const value = dummyValue(variable, sources);
      if (value !== undefined) env[variable.name] = value;
    }
  }
  return env;
}

/** Names of the variables {@link initEnvironment} filled from schemas (for the report note). */
export function schemaVariables(env: Record<string, string>): string[] {
  const lambdaSet = new Set([
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_LAMBDA_FUNCTION_NAME',
    'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
    'AWS_LAMBDA_FUNCTION_VERSION',
    'AWS_EXECUTION_ENV',
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_METRICS_NAMESPACE',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  ]);
  return Object.keys(env).filter((name) => !lambdaSet.has(name));
}
