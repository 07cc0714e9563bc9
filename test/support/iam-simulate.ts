/**
 * The IAM check, run after an e2e tier that recorded its functions' calls (PIPELINE_TEST_IAM_CALLS):
 * evaluates every recorded call, and every call AWS makes with the functions' roles, against the dev
 * and the prod template's policies with @cloud-copilot/iam-simulate. Writes `.local/iam-report.md`
 * and `.local/iam-report.json`; exits 1 on any denied call or on an unused grant without a reason in
 * `iam/justified.ts`, 2 when there is nothing to check.
 *
 *   npx tsx test/support/iam-simulate.ts [calls.jsonl]   (default: $PIPELINE_TEST_IAM_CALLS or .local/iam-calls.jsonl)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PipelineStack } from '../../infra/stacks/pipeline-stack.ts';
import { stageSettings } from '../../infra/stages.ts';
import { evaluateTemplate, type TemplateVerdict } from './iam/evaluate.ts';
import { justifyUnused } from './iam/justified.ts';
import { type DeployedStack, stackFileOf } from './iam/recording.ts';
import { countsOf, renderMarkdown, summaryLine } from './iam/report.ts';
import type { RecordedRequest } from './iam/requests.ts';
import { librarySimulator } from './iam/simulator.ts';
import { type CfnTemplate, TemplateReader } from './iam/template.ts';

const REPORT = '.local/iam-report';

/** The product stack as `cdk synth` builds it for `stage`, without bundling (policies only). */
export function synthesize(stage: 'dev' | 'prod', stackName: string): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PipelineStack(app, stackName, { stage: stageSettings(stage) });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

/** The deployed stack read as a template: its names are the physical ids the calls were made with. */
export function deployedReader(stack: DeployedStack): TemplateReader {
  const resources = Object.fromEntries(stack.resources.map((r) => [r.logicalId, { Type: r.type }]));
  return new TemplateReader(
    { Resources: resources },
    {
      account: stack.account,
      region: stack.region,
      stackName: stack.stackName,
      physicalIds: new Map(stack.resources.map((r) => [r.logicalId, r.physicalId])),
    },
  );
}

export function readRecording(path: string): { requests: RecordedRequest[]; stack: DeployedStack } {
  const requests = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedRequest);
  const stack = JSON.parse(readFileSync(stackFileOf(path), 'utf8')) as DeployedStack;
  return { requests, stack };
}

async function main(): Promise<number> {
  const path = process.argv[2] ?? process.env.PIPELINE_TEST_IAM_CALLS ?? '.local/iam-calls.jsonl';
  if (!existsSync(path) || !existsSync(stackFileOf(path))) {
    process.stderr.write(
      `✗ IAM check: no recording at ${path} (and ${stackFileOf(path)}); run the e2e tier with PIPELINE_TEST_IAM_CALLS=${path}\n`,
    );
    return 2;
  }
  const { requests, stack } = readRecording(path);
  const deployed = deployedReader(stack);
  const simulate = librarySimulator();
  const verdicts: TemplateVerdict[] = [];
  // Dev is synthesized under the deployed stack's name, so its names are the deployed ones; prod keeps
  // its own name wherever it names a resource itself (the bus), the deployed physical ids elsewhere.
  for (const [stage, stackName] of [
    ['dev', stack.stackName],
    ['prod', 'OrderPipeline-prod'],
  ] as const) {
    const reader = new TemplateReader(synthesize(stage, stackName), { ...deployed.naming, stackName });
    verdicts.push(await evaluateTemplate(stage, reader, deployed, requests, simulate));
  }
  mkdirSync(dirname(REPORT), { recursive: true });
  writeFileSync(`${REPORT}.md`, renderMarkdown(verdicts));
  writeFileSync(
    `${REPORT}.json`,
    `${JSON.stringify({ counts: verdicts.map(countsOf), verdicts }, null, 2)}\n`,
  );
  for (const verdict of verdicts) process.stderr.write(`▸ IAM ${summaryLine(verdict)}\n`);
  const attributed = verdicts.some((v) => v.requests - v.unattributed > 0);
  if (!attributed) {
    process.stderr.write(
      '✗ IAM check: no recorded request came from a function of the stack; nothing was checked\n',
    );
    return 2;
  }
  let denied = 0;
  for (const v of verdicts) {
    for (const call of v.denied) {
      denied += 1;
      process.stderr.write(
        `✗ IAM ${v.template}: ${call.function} ${call.action} on ${call.resource} ${call.result} (${call.reasons.join('; ')}); lacking ${JSON.stringify(call.lacking)}\n`,
      );
    }
    for (const d of v.deniedDeliveries) {
      denied += 1;
      process.stderr.write(
        `✗ IAM ${v.template}: ${d.principal} ${d.action} on ${d.resource} from ${d.sourceArn} (${d.why}) ${d.result} (${d.reasons.join('; ')})\n`,
      );
    }
  }
  // Least privilege: every grant the run left unused needs a reason in iam/justified.ts, or must go.
  let unjustified = 0;
  for (const v of verdicts) {
    for (const grant of justifyUnused(v.unused).unjustified) {
      unjustified += 1;
      process.stderr.write(
        `✗ IAM ${v.template}: ${grant.function} is granted ${grant.action} on ${grant.resource} (${grant.policy} #${grant.statement}), which no call used and no reason in test/support/iam/justified.ts covers\n`,
      );
    }
  }
  process.stderr.write(`▸ IAM report: ${REPORT}.md\n`);
  return denied > 0 || unjustified > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(await main());
}
