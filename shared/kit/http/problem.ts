/**
 * HTTP answers of the kit's front doors: plain data (status, headers, JSON body), mapped to the
 * Lambda proxy result by the function. Errors are RFC 9457 problem documents.
 */

/** One HTTP answer. */
export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** RFC 9457's media type for problem documents. */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/**
 * Problem type URIs: absolute (RFC 9457 §3.1.1 asks for that) but not dereferenceable, a `tag:` URI
 * (RFC 4151) per kind; the README's HTTP API section lists them.
 */
const PROBLEM_TYPE_BASE = 'tag:order-event-pipeline,2026:problem/';

/** The problem kinds the front door answers with, each with its status and title. */
export const PROBLEMS = {
  'invalid-body': { status: 400, title: 'The request body is not a valid order' },
  'malformed-json': { status: 400, title: 'The request body is not JSON' },
  'idempotency-key': { status: 400, title: 'The Idempotency-Key header is missing or invalid' },
  'invalid-prefer': { status: 400, title: 'The Prefer header asks for an unsupported wait' },
  'not-found': { status: 404, title: 'No such resource' },
  'unsupported-media-type': { status: 415, title: 'The request body must be application/json' },
  'body-too-large': { status: 413, title: 'The request body is too large' },
  'idempotency-key-reused': {
    status: 409,
    title: 'The Idempotency-Key was used before with another request body',
  },
  internal: { status: 500, title: 'The request could not be completed; retry it with the same key' },
} as const;

/** A problem kind of {@link PROBLEMS}. */
export type ProblemKind = keyof typeof PROBLEMS;

/** Extension members of a problem document (RFC 9457 §3.2), e.g. the offending field's `path`. */
export type ProblemExtensions = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * A problem document answer: `type` (a URI naming the kind), `title` (the kind in words), `status`,
 * `detail` (this occurrence) and any extension members (`path` of the offending field).
 */
export function problem(kind: ProblemKind, detail: string, extensions: ProblemExtensions = {}): HttpAnswer {
  const { status, title } = PROBLEMS[kind];
  const defined = Object.fromEntries(Object.entries(extensions).filter(([, value]) => value !== undefined));
  return {
    statusCode: status,
    headers: { 'content-type': PROBLEM_MEDIA_TYPE },
    body: JSON.stringify({ type: `${PROBLEM_TYPE_BASE}${kind}`, title, status, detail, ...defined }),
  };
}

/** A JSON answer. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** Thrown by request parsing: the problem to answer with. */
export class ProblemError extends Error {
  readonly answer: HttpAnswer;
  readonly kind: ProblemKind;

  constructor(kind: ProblemKind, detail: string, extensions: ProblemExtensions = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.kind = kind;
    this.answer = problem(kind, detail, extensions);
  }
}
