import { describe, expect, it, vi } from 'vitest';
import { resolveTarget } from '../../cli/cloud/target.ts';

describe('deploy target resolution', () => {
  it('uses AWS_ENDPOINT_URL when set, with dummy credentials unless the caller gave some', () => {
    // Act
    const target = resolveTarget({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_PROFILE: 'prod-admin' });

    // Assert
    expect(target.kind).toBe('endpoint');
    expect(target.env.AWS_ENDPOINT_URL).toBe('http://127.0.0.1:4566');
    expect(target.env.AWS_ACCESS_KEY_ID).toBe('000000000000');
    expect(target.env.CDK_DEFAULT_ACCOUNT).toBe('000000000000');
  });

  it('keeps credentials given for an external emulator (LocalStack may check them)', () => {
    const target = resolveTarget({ AWS_ENDPOINT_URL: 'http://ls:4566', AWS_ACCESS_KEY_ID: 'LSKEY' });
    expect(target.env.AWS_ACCESS_KEY_ID).toBe('LSKEY');
  });

  it('falls back to real AWS in the caller region when no emulator is configured or running', () => {
    // Arrange: an instance name that never has a recorded cloud.
    vi.stubEnv('PIPELINE_CLOUD_INSTANCE', `none-${process.pid}`);

    // Act
    const target = resolveTarget({ AWS_REGION: 'eu-west-1' });

    // Assert
    expect(target).toEqual({ kind: 'aws', region: 'eu-west-1', env: { AWS_REGION: 'eu-west-1' } });
  });
});
