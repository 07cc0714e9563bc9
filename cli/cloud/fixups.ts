import { GetQueueAttributesCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { ResourceCheck } from '../deploy/verify.ts';
import type { Reporter } from '../output.ts';
import { clientsFor } from './clients.ts';
import type { Target } from './target.ts';

/**
 * Emulator gap corrections. The product's template stays AWS-correct; when an emulator drops a
 * property that AWS applies, the local-cloud tooling re-applies it through the service API and says so.
 * Nothing here ever runs against real AWS.
 */

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A queue whose template declares a redrive policy, with the DLQ it points at (by logical id). */
export interface RedriveExpectation {
  readonly queueLogicalId: string;
  readonly dlqLogicalId: string;
  readonly maxReceiveCount: number;
}

/** Reads the redrive policies a CloudFormation template declares for its queues. */
export function expectedRedrivePolicies(template: { Resources?: Record<string, TemplateResource> }) {
  const expectations: RedriveExpectation[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::SQS::Queue') continue;
    const policy = resource.Properties?.RedrivePolicy as
      | { deadLetterTargetArn?: { 'Fn::GetAtt'?: [string, string] }; maxReceiveCount?: number }
      | undefined;
    const dlq = policy?.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
    if (dlq && policy?.maxReceiveCount) {
      expectations.push({
        queueLogicalId: logicalId,
        dlqLogicalId: dlq,
        maxReceiveCount: policy.maxReceiveCount,
      });
    }
  }
  return expectations;
}

/** What one fix-up found and did. */
export interface FixupResult {
  /** Logical id of the resource concerned. */
  readonly resource: string;
  readonly action: 'ok' | 'patched';
  readonly detail: string;
}

/**
 * Makes sure every queue's RedrivePolicy from the template is live on the emulator (seen dropped by
 * MiniStack 1.4.21 through CloudFormation: poison messages then never reached their DLQ).
 */
export async function ensureRedrivePolicies(
  target: Target,
  template: { Resources?: Record<string, TemplateResource> },
  resources: readonly ResourceCheck[],
  reporter: Reporter,
): Promise<FixupResult[]> {
  if (target.kind === 'aws') return [];
  const sqs = clientsFor(target).sqs;
  const urlOf = (logicalId: string) => resources.find((r) => r.logicalId === logicalId)?.physicalId;
  const results: FixupResult[] = [];
  for (const expectation of expectedRedrivePolicies(template)) {
    const queueUrl = urlOf(expectation.queueLogicalId);
    const dlqUrl = urlOf(expectation.dlqLogicalId);
    if (!queueUrl || !dlqUrl) continue;
    const live = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
    );
    if (live.Attributes?.RedrivePolicy) {
      results.push({
        resource: expectation.queueLogicalId,
        action: 'ok',
        detail: 'RedrivePolicy present',
      });
      continue;
    }
    const dlq = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    const redrivePolicy = JSON.stringify({
      deadLetterTargetArn: dlq.Attributes?.QueueArn,
      maxReceiveCount: expectation.maxReceiveCount,
    });
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { RedrivePolicy: redrivePolicy } }),
    );
    const detail = `emulator dropped the template's RedrivePolicy; re-applied through SetQueueAttributes (maxReceiveCount ${expectation.maxReceiveCount}). AWS deploys are unaffected.`;
    reporter.warn(`local-cloud fix-up: ${expectation.queueLogicalId}: ${detail}`);
    results.push({ resource: expectation.queueLogicalId, action: 'patched', detail });
  }
  return results;
}
