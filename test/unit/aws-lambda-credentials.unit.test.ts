import { afterEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../shared/kit/aws/lambda-credentials.ts';

const KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));

afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('Lambda bundle credential provider', () => {
  it('resolves the role credentials Lambda puts in the environment', async () => {
    // Arrange
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';

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
    for (const k of KEYS) delete process.env[k];

    // Act / Assert
    await expect(defaultProvider()()).rejects.toThrow(/credentials/i);
  });
});
