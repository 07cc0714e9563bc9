/**
 * Settings shared by every AWS SDK client. The SDK already honours `AWS_ENDPOINT_URL` on its own;
 * passing the endpoint explicitly keeps tests and the CLI independent of ambient environment.
 */
export interface AwsClientSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly maxAttempts?: number;
}

/** Builds the constructor options for any `@aws-sdk/client-*` client. */
export function clientConfig(settings: AwsClientSettings): {
  region: string;
  endpoint?: string;
  maxAttempts?: number;
} {
  return {
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
  };
}
