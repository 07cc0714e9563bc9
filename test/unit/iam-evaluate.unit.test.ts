import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  evaluateTemplate,
  matchesPattern,
  type Simulate,
  type SimulationQuestion,
} from '../support/iam/evaluate.ts';
import { asList } from '../support/iam/policies.ts';
import { countsOf, renderMarkdown } from '../support/iam/report.ts';
import type { RecordedRequest } from '../support/iam/requests.ts';
import { librarySimulator, SIMULATOR_PACKAGE } from '../support/iam/simulator.ts';
import { type CfnTemplate, TemplateReader } from '../support/iam/template.ts';
import { TINY_NAMING, tinyTemplate } from './iam-fixture.ts';

const physicalIds = new Map([
  ['Work', 'http://127.0.0.1:4577/111122223333/Tiny-Work'],
  ['Dlq', 'http://127.0.0.1:4577/111122223333/Tiny-Dlq'],
  ['Topic', 'arn:aws:sns:eu-west-1:111122223333:Tiny-Topic'],
  ['Key', 'key-1'],
  ['Table', 'Tiny-Table'],
]);
const readerOf = (template: CfnTemplate) => new TemplateReader(template, { ...TINY_NAMING, physicalIds });
const deployed = readerOf(tinyTemplate());

const recorded = (service: string, api: string, params: Record<string, unknown>): RecordedRequest => ({
  caller: 'Fn-PT-NO-OP-2.36.0-PTEnv-NA',
  service,
  api,
  status: 200,
  params,
});
const publish = recorded('sns', 'Publish', { TopicArn: 'arn:aws:sns:eu-west-1:111122223333:Tiny-Topic' });
const sendToDlq = recorded('sqs', 'SendMessage', { QueueUrl: 'http://127.0.0.1:4577/111122223333/Tiny-Dlq' });
const putToTable = recorded('dynamodb', 'PutItem', { TableName: 'Tiny-Table' });

/**
 * A stand-in simulator for the decider's own logic: allowed when an identity statement's action and
 * resource patterns match (no conditions, no resource policies). The library's rules are tested below.
 */
const identityOnly: Simulate = async (q: SimulationQuestion) => {
  const allowed = q.identityPolicies.some(({ policy }) =>
    asList(policy.Statement).some(
      (s) =>
        s.Effect === 'Allow' &&
        asList(s.Action).some((a) => matchesPattern(a, q.action, true)) &&
        asList(s.Resource).some((r) => matchesPattern(r, q.resource)),
    ),
  );
  return allowed ? { result: 'Allowed', reasons: [] } : { result: 'ImplicitlyDenied', reasons: ['no Allow'] };
};

describe('IAM check: deciding on the calls of a run', () => {
  it('reports a call no statement allows, with the statement it lacked', async () => {
    // Act
    const verdict = await evaluateTemplate('tiny', deployed, deployed, [putToTable, sendToDlq], identityOnly);

    // Assert
    expect(verdict.denied).toHaveLength(1);
    expect(verdict.denied[0]).toMatchObject({
      function: 'Fn',
      source: 'recorded',
      action: 'dynamodb:PutItem',
      resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Tiny-Table',
      count: 1,
      lacking: {
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Tiny-Table',
      },
    });
  });

  it('counts repeated requests as one call and ignores requests no function of the template made', async () => {
    // Arrange
    const fromTheTest = { ...sendToDlq, caller: 'unknown' };

    // Act
    const verdict = await evaluateTemplate(
      'tiny',
      deployed,
      deployed,
      [sendToDlq, sendToDlq, fromTheTest],
      identityOnly,
    );

    // Assert
    expect(verdict.unattributed).toBe(1);
    expect(verdict.calls.filter((c) => c.source === 'recorded')).toEqual([
      expect.objectContaining({ action: 'sqs:SendMessage', count: 2, result: 'Allowed' }),
    ]);
  });

  it('adds the KMS calls a publish to an encrypted topic makes with the caller role', async () => {
    // Act
    const verdict = await evaluateTemplate('tiny', deployed, deployed, [publish], identityOnly);

    // Assert
    expect(verdict.calls.filter((c) => c.source === 'implied').map((c) => c.action)).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
  });

  it('lists every granted action no call used, and none that the platform uses', async () => {
    // Act
    const verdict = await evaluateTemplate('tiny', deployed, deployed, [publish], identityOnly);

    // Assert
    expect(verdict.unused.map((g) => `${g.action} ${g.resource}`)).toEqual([
      'sqs:GetQueueUrl arn:aws:sqs:eu-west-1:111122223333:Tiny-Work',
      'sqs:SendMessage arn:aws:sqs:eu-west-1:111122223333:Tiny-Dlq',
      'dynamodb:Query arn:aws:dynamodb:eu-west-1:111122223333:table/Tiny-Table',
      'dynamodb:Query arn:aws:dynamodb:eu-west-1:111122223333:table/Tiny-Table/index/*',
    ]);
  });

  it('evaluates the same calls against another template, named as that template names them', async () => {
    // Arrange: a stricter template without the DLQ grant.
    const strict = tinyTemplate();
    const policy = strict.Resources.RolePolicy?.Properties?.PolicyDocument as {
      Statement: { Action: unknown }[];
    };
    policy.Statement = policy.Statement.filter((s) => s.Action !== 'sqs:SendMessage');

    // Act
    const verdict = await evaluateTemplate('strict', readerOf(strict), deployed, [sendToDlq], identityOnly);

    // Assert
    expect(verdict.denied.map((c) => `${c.action} ${c.resource}`)).toEqual([
      'sqs:SendMessage arn:aws:sqs:eu-west-1:111122223333:Tiny-Dlq',
    ]);
  });
});

const libraryInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve(SIMULATOR_PACKAGE);
    return true;
  } catch {
    return false;
  }
})();
if (!libraryInstalled) {
  process.stderr.write(`IAM check: ${SIMULATOR_PACKAGE} is not installed; its rule tests are skipped\n`);
}

describe.skipIf(!libraryInstalled)(
  'IAM check: the simulator library on the rules the check relies on',
  () => {
    const evaluate = (template: CfnTemplate, requests: RecordedRequest[]) =>
      evaluateTemplate('tiny', readerOf(template), deployed, requests, librarySimulator());

    it('allows a same-account call the role allows, with no resource policy to agree', async () => {
      // Act
      const verdict = await evaluate(tinyTemplate(), [sendToDlq]);

      // Assert
      expect(verdict.denied).toEqual([]);
    });

    it('denies KMS use the role allows when the key policy trusts neither the role nor the account', async () => {
      // Arrange
      const template = tinyTemplate({ keyPolicyPrincipal: 'arn:aws:iam::111122223333:role/SomeoneElse' });

      // Act
      const verdict = await evaluate(template, [publish]);

      // Assert
      expect(verdict.denied.map((c) => c.action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(verdict.denied[0]?.reasons).toEqual(['no Allow in key policy']);
    });

    it('denies a call an explicit Deny in the resource policy matches, even though the role allows it', async () => {
      // Act
      const verdict = await evaluate(tinyTemplate({ queueDeny: true }), []);

      // Assert: Lambda's polling of the work queue meets the queue policy's Deny.
      expect(verdict.denied.map((c) => c.action).sort()).toEqual([
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ]);
      expect(verdict.denied[0]?.result).toBe('ExplicitlyDenied');
    });

    it("denies a rule's delivery to a queue whose policy does not let that rule send", async () => {
      // Act
      const allowed = await evaluate(tinyTemplate(), []);
      const refused = await evaluate(tinyTemplate({ ruleMaySend: false }), []);

      // Assert
      expect(allowed.deniedDeliveries).toEqual([]);
      expect(refused.deniedDeliveries).toEqual([
        expect.objectContaining({
          principal: 'events.amazonaws.com',
          action: 'sqs:SendMessage',
          result: 'ImplicitlyDenied',
        }),
      ]);
    });

    it('denies a call no identity statement allows', async () => {
      // Act
      const verdict = await evaluate(tinyTemplate(), [putToTable]);

      // Assert
      expect(verdict.denied).toEqual([
        expect.objectContaining({ action: 'dynamodb:PutItem', result: 'ImplicitlyDenied' }),
      ]);
    });
  },
);

describe('IAM check: the report', () => {
  it('counts distinct recorded calls apart from the platform and KMS calls evaluated with them', async () => {
    // Arrange
    const verdict = await evaluateTemplate(
      'tiny',
      deployed,
      deployed,
      [publish, publish, putToTable],
      identityOnly,
    );

    // Act
    const counts = countsOf(verdict);
    const markdown = renderMarkdown([verdict]);

    // Assert
    expect(counts).toMatchObject({ requests: 3, attributed: 3, distinctRecorded: 2, denied: 1 });
    expect(counts.evaluated).toBe(verdict.calls.length);
    expect(markdown).toContain('| tiny | 3 | 3 | 2 |');
    expect(markdown).toContain('lacking: `{"Effect":"Allow","Action":"dynamodb:PutItem"');
  });
});
