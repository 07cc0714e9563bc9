/**
 * How the HTTP API is exposed, from CDK context (`-c apiAuth=jwt -c apiJwtIssuer=… -c apiJwtAudience=…`,
 * `-c apiCorsOrigins=https://shop.example.com`). Secure by default: IAM (SigV4) on every route, CORS
 * closed, the stage throttled.
 */
export type ApiAuthorization =
  | { readonly kind: 'iam' }
  | { readonly kind: 'jwt'; readonly issuer: string; readonly audience: readonly string[] };

/** The HTTP API's settings. */
export interface ApiSettings {
  readonly authorization: ApiAuthorization;
  /** Origins a browser may call from; none (CORS closed) by default. */
  readonly corsOrigins: readonly string[];
  /** Stage-wide steady rate (requests per second) and burst. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
}

/** What {@link apiSettings} reads from the CDK context. */
export interface ApiContext {
  readonly apiAuth?: unknown;
  readonly apiJwtIssuer?: unknown;
  readonly apiJwtAudience?: unknown;
  readonly apiCorsOrigins?: unknown;
  readonly apiRateLimit?: unknown;
  readonly apiBurstLimit?: unknown;
}

/**
 * Defaults well above a storefront's needs and far below the account's 10,000 rps: a runaway client
 * is answered 429 at the stage instead of filling the event store and the saga's queues.
 */
const DEFAULT_THROTTLE = { rateLimit: 50, burstLimit: 100 };

/** Parses and validates the API's context; a wrong value fails the synth with what to write instead. */
export function apiSettings(context: ApiContext = {}): ApiSettings {
  return {
    authorization: authorization(context),
    corsOrigins: list(context.apiCorsOrigins).map(origin),
    throttle: {
      rateLimit: positive('apiRateLimit', context.apiRateLimit, DEFAULT_THROTTLE.rateLimit),
      burstLimit: positive('apiBurstLimit', context.apiBurstLimit, DEFAULT_THROTTLE.burstLimit),
    },
  };
}

function authorization(context: ApiContext): ApiAuthorization {
  const kind = context.apiAuth ?? 'iam';
  if (kind === 'iam') {
    if (context.apiJwtIssuer !== undefined || context.apiJwtAudience !== undefined) {
      throw new Error('apiJwtIssuer and apiJwtAudience are taken with -c apiAuth=jwt only');
    }
    return { kind: 'iam' };
  }
  if (kind !== 'jwt') throw new Error(`apiAuth "${String(kind)}" is not iam or jwt`);
  const issuer = context.apiJwtIssuer;
  if (typeof issuer !== 'string' || !/^https:\/\/[^\s/]+(\/\S*)?$/.test(issuer)) {
    throw new Error('-c apiAuth=jwt needs -c apiJwtIssuer=https://… (the token issuer, its iss claim)');
  }
  const audience = list(context.apiJwtAudience);
  if (audience.length === 0) {
    throw new Error('-c apiAuth=jwt needs -c apiJwtAudience=<client id>[,<client id>] (the aud claim)');
  }
  return { kind: 'jwt', issuer, audience };
}

function list(value: unknown): string[] {
  if (value === undefined || value === '') return [];
  if (typeof value !== 'string') throw new Error(`expected a comma-separated list, got ${String(value)}`);
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

function origin(value: string): string {
  if (value === '*' || !/^https?:\/\/[^\s/]+$/.test(value)) {
    throw new Error(`apiCorsOrigins: "${value}" is not an origin like https://shop.example.com (no "*")`);
  }
  return value;
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return number;
}
