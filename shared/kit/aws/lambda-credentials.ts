import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The SDK's default credential provider as Lambda bundles use it: credentials from the environment.
 *
 * Lambda puts the execution role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN of every execution environment, and the SDK's own default chain reads exactly
 * those first. The rest of that chain (SSO, INI files, process, web identity, IMDS/ECS, with their
 * nested STS/SSO clients) can never answer inside Lambda, yet weighs ~100 KB of every bundle and is
 * loaded at init. Function bundles alias `@aws-sdk/credential-provider-node` to this module
 * (`infra/constructs/pipeline-function.ts`, `cli/dev/bundle.ts`); the CLI and the tests, which run on
 * developer machines, keep the SDK's full chain.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
