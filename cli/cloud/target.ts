import { isAlive, readCloudState } from './state.ts';

/** Account and region every local cloud uses; a 12-digit access key id becomes the account on MiniStack. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** Where commands send their AWS calls. */
export interface Target {
  /** `local`: the MiniStack this project runs; `endpoint`: AWS_ENDPOINT_URL; `aws`: the real cloud. */
  readonly kind: 'local' | 'endpoint' | 'aws';
  readonly endpoint?: string;
  readonly region: string;
  /** Environment for child processes and SDK clients (ours and the CDK toolkit's) talking to this target. */
  readonly env: Record<string, string>;
}

/**
 * AWS_ENDPOINT_URL wins (LocalStack, a MiniStack elsewhere); then a running local cloud recorded by
 * `pipeline cloud start`; otherwise real AWS with the user's own credentials and region.
 */
export function resolveTarget(environment: NodeJS.ProcessEnv = process.env): Target {
  const fromEnv = environment.AWS_ENDPOINT_URL;
  if (fromEnv) return emulatorTarget('endpoint', fromEnv, environment);
  const state = readCloudState();
  if (state?.mode === 'local' && isAlive(state.pid))
    return emulatorTarget('local', state.endpoint, environment);
  const region = environment.AWS_REGION ?? environment.AWS_DEFAULT_REGION ?? LOCAL_REGION;
  return { kind: 'aws', region, env: { AWS_REGION: region } };
}

function emulatorTarget(
  kind: 'local' | 'endpoint',
  endpoint: string,
  environment: NodeJS.ProcessEnv,
): Target {
  // Emulators accept any credentials; fixed dummy ones keep real keys from ever being sent to them.
  const accessKey = kind === 'endpoint' ? (environment.AWS_ACCESS_KEY_ID ?? LOCAL_ACCOUNT) : LOCAL_ACCOUNT;
  const secret = kind === 'endpoint' ? (environment.AWS_SECRET_ACCESS_KEY ?? 'test') : 'test';
  const region = environment.AWS_REGION ?? LOCAL_REGION;
  return {
    kind,
    endpoint,
    region,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: accessKey,
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      CDK_DEFAULT_ACCOUNT: LOCAL_ACCOUNT,
      CDK_DEFAULT_REGION: region,
    },
  };
}

/** Applies a target to this process so SDK clients created afterwards use it. */
export function applyTarget(target: Target): void {
  if (target.kind !== 'aws') {
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
  }
  Object.assign(process.env, target.env);
}
