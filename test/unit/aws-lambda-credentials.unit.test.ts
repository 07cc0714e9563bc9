import { describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '../../shared/kit/aws/lambda-credentials.ts';

const KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

describe('Lambda bundle credential provider', () => {
  it('resolves the role credentials Lambda puts in the environment', async () => {
    // Arrange
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');

    // Act
    const credentials = await defaultProvider()();

    // Assert
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('fails with the SDK credentials error when the environment has none', async () => {
    // Arrange
    for (const k of KEYS) vi.stubEnv(k, undefined);

    // Act / Assert
    await expect(defaultProvider()()).rejects.toThrow(/credentials/i);
  });
});
