import { describe, expect, it } from 'vitest';
import type { Target } from '../../cli/cloud/target.ts';
import { type DestroyConsent, describeScope, destroyDecision } from '../../cli/deploy/destroy-guard.ts';

const aws: Target = { kind: 'aws', region: 'eu-west-1', env: {} };
const endpoint: Target = {
  kind: 'endpoint',
  endpoint: 'http://127.0.0.1:4599',
  region: 'us-east-1',
  env: {},
};
const local: Target = { kind: 'local', endpoint: 'http://127.0.0.1:4566', region: 'us-east-1', env: {} };
const scope = (target: Target, stage = 'dev') => ({
  target,
  stackName: 'OrderPipeline-dev',
  stage,
  account: '123456789012',
});
const consent = (over: Partial<DestroyConsent> = {}): DestroyConsent => ({
  yes: false,
  allowProd: false,
  interactive: false,
  ...over,
});

describe('pipeline destroy asks before removing a stack anywhere but the local cloud', () => {
  it('names the account, region and stack it would remove on AWS', () => {
    expect(describeScope(scope(aws))).toBe(
      'stack OrderPipeline-dev (stage dev) on AWS account 123456789012 in eu-west-1',
    );
    expect(describeScope(scope(endpoint))).toContain('AWS_ENDPOINT_URL http://127.0.0.1:4599');
  });

  it('refuses AWS in a script without --yes, saying what to add', () => {
    expect(() => destroyDecision(scope(aws), consent())).toThrow(/without confirmation/);
    expect(() => destroyDecision(scope(aws), consent())).toThrow(
      expect.objectContaining({ exitCode: 2, hint: expect.stringContaining('--yes') }),
    );
  });

  it('asks a person at a terminal, and goes ahead with --yes', () => {
    expect(destroyDecision(scope(aws), consent({ interactive: true }))).toBe('ask');
    expect(destroyDecision(scope(endpoint), consent({ yes: true }))).toBe('proceed');
  });

  it('removes a stack from the local cloud without asking (it is throwaway)', () => {
    expect(destroyDecision(scope(local), consent())).toBe('proceed');
  });

  it('refuses a prod stage without --allow-prod, even with --yes and on the local cloud', () => {
    for (const target of [aws, endpoint, local]) {
      expect(() => destroyDecision(scope(target, 'prod'), consent({ yes: true }))).toThrow(
        /Refusing to destroy a prod stage/,
      );
    }
    expect(destroyDecision(scope(aws, 'prod'), consent({ yes: true, allowProd: true }))).toBe('proceed');
  });
});
