import { Aspects } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { pipelineStack, testStack } from './infra-fixture.ts';

const AWS_SOLUTIONS = Match.stringLikeRegexp('AwsSolutions-.*');

// Synthesized with the cdk-nag Aspect at import time (slow) so the test timeouts measure the checks only.
const stacks = {
  dev: pipelineStack('dev', { nag: true }),
  prod: pipelineStack('prod', { nag: true, context: { alarmEmail: 'ops@example.com' } }),
};
const annotations = {
  dev: Annotations.fromStack(stacks.dev),
  prod: Annotations.fromStack(stacks.prod),
};

describe('infra: cdk-nag AwsSolutions checks', () => {
  for (const stage of ['dev', 'prod'] as const) {
    it(`finds no unsuppressed error in the ${stage} stack`, () => {
      expect(annotations[stage].findError('*', AWS_SOLUTIONS)).toEqual([]);
    });

    it(`finds no unsuppressed warning in the ${stage} stack`, () => {
      expect(annotations[stage].findWarning('*', AWS_SOLUTIONS)).toEqual([]);
    });
  }

  it('reports a finding on a plain queue, so a clean result means the checks ran', () => {
    // Arrange
    const stack = testStack();
    new Queue(stack, 'Plain');
    Aspects.of(stack).add(new AwsSolutionsChecks());

    // Act
    const errors = Annotations.fromStack(stack).findError('*', AWS_SOLUTIONS);

    // Assert
    expect(errors.map((e) => String(e.entry.data))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/AwsSolutions-SQS3/),
        expect.stringMatching(/AwsSolutions-SQS4/),
      ]),
    );
  });

  it('gives every suppression a reason that says why, not just which rule', () => {
    // Arrange
    const suppressions = stacks.dev.node.findAll().flatMap((node) => {
      const metadata = node.node.defaultChild ?? node;
      const cfn = metadata as { getMetadata?: (key: string) => unknown };
      const nag = cfn.getMetadata?.('cdk_nag') as
        | { rules_to_suppress?: { id: string; reason: string }[] }
        | undefined;
      return nag?.rules_to_suppress ?? [];
    });

    // Assert
    expect(suppressions.length).toBeGreaterThan(0);
    for (const { id, reason } of suppressions) {
      expect(reason.length, `${id}: "${reason}"`).toBeGreaterThan(60);
    }
  });
});
