/** The IAM check's report: Markdown for people, with the counts the run's closing note quotes. */
import type { TemplateVerdict } from './evaluate.ts';
import { justifyUnused } from './justified.ts';

export interface VerdictCounts {
  readonly template: string;
  readonly requests: number;
  readonly attributed: number;
  /** Distinct (function, action, resource) triples the functions called themselves. */
  readonly distinctRecorded: number;
  /** Distinct triples evaluated, recorded + platform + implied. */
  readonly evaluated: number;
  readonly denied: number;
  readonly unused: number;
  readonly deliveries: number;
  readonly deniedDeliveries: number;
}

export function countsOf(verdict: TemplateVerdict): VerdictCounts {
  const recorded = verdict.calls.filter((c) => c.source === 'recorded');
  return {
    template: verdict.template,
    requests: verdict.requests,
    attributed: verdict.requests - verdict.unattributed,
    distinctRecorded: new Set(recorded.map((c) => `${c.function} ${c.action} ${c.resource}`)).size,
    evaluated: verdict.calls.length,
    denied: verdict.denied.length,
    unused: verdict.unused.length,
    deliveries: verdict.deliveries.length,
    deniedDeliveries: verdict.deniedDeliveries.length,
  };
}

/** One line for a terminal: `dev: 904 requests (713 by functions), 41 distinct calls, 0 denied, 12 unused grants`. */
export function summaryLine(verdict: TemplateVerdict): string {
  const c = countsOf(verdict);
  return `${c.template}: ${c.requests} requests recorded (${c.attributed} by the template's functions), ${c.distinctRecorded} distinct (function, action, resource), ${c.evaluated} evaluated with platform and KMS calls, ${c.denied} denied, ${c.unused} unused grants; ${c.deliveries} service deliveries, ${c.deniedDeliveries} denied`;
}

const cell = (text: string) => `\`${text.replace(/\|/g, '\\|')}\``;

export function renderMarkdown(verdicts: readonly TemplateVerdict[]): string {
  const lines = [
    '# IAM simulated on the e2e run',
    '',
    'Every AWS call the deployed functions made during the e2e run (recorded through the proxy), plus the',
    'calls AWS makes with their roles (event source polling, log delivery, tracing, KMS use behind an',
    'encrypted topic or queue), evaluated against the role policies and resource policies of each template',
    'with @cloud-copilot/iam-simulate.',
    '',
    '| template | requests | by functions | distinct recorded calls | evaluated | denied | unused grants | service deliveries | denied deliveries |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const verdict of verdicts) {
    const c = countsOf(verdict);
    lines.push(
      `| ${c.template} | ${c.requests} | ${c.attributed} | ${c.distinctRecorded} | ${c.evaluated} | ${c.denied} | ${c.unused} | ${c.deliveries} | ${c.deniedDeliveries} |`,
    );
  }
  for (const verdict of verdicts) {
    lines.push('', `## ${verdict.template}`, '', '### Denied calls', '');
    if (verdict.denied.length === 0) lines.push('None.');
    for (const call of verdict.denied) {
      lines.push(
        `- **${call.function}** ${cell(call.action)} on ${cell(call.resource)} (${call.source}${call.why ? `: ${call.why}` : ''}) → ${call.result}: ${call.reasons.join('; ') || 'no reason given'}`,
        `  - lacking: ${cell(JSON.stringify(call.lacking))}`,
      );
    }
    lines.push('', "### Service deliveries denied by the target's resource policy", '');
    lines.push(
      `${verdict.deliveries.length} evaluated (rules to their target and dead-letter queues, topics to subscribed queues, alarms to their topic).`,
      '',
    );
    if (verdict.deniedDeliveries.length === 0) lines.push('None.');
    for (const d of verdict.deniedDeliveries) {
      lines.push(
        `- ${cell(d.principal)} ${cell(d.action)} on ${cell(d.resource)} from ${cell(d.sourceArn)} (${d.why}) → ${d.result}: ${d.reasons.join('; ') || 'no reason given'}`,
      );
    }
    lines.push('', '### Unused grants (least privilege)', '');
    if (verdict.unexercised.length > 0) {
      lines.push(
        `Functions this run made no call from (their grants are unused for want of coverage): ${verdict.unexercised.join(', ')}.`,
        '',
      );
    }
    if (verdict.unused.length === 0) lines.push('None.');
    else {
      const { justified, unjustified } = justifyUnused(verdict.unused);
      lines.push(
        `${unjustified.length} without a reason (the check fails on these), ${justified.length} with the reason in test/support/iam/justified.ts.`,
        '',
        '| function | action | resource | policy statement | why it stays |',
        '| --- | --- | --- | --- | --- |',
      );
      for (const grant of [...unjustified, ...justified]) {
        const why = 'why' in grant ? String(grant.why) : '**no reason: remove the grant or justify it**';
        lines.push(
          `| ${grant.function} | ${cell(grant.action)} | ${cell(grant.resource)} | ${grant.policy} #${grant.statement} | ${why} |`,
        );
      }
    }
    if (verdict.unevaluatedManagedPolicies.length > 0) {
      lines.push('', '### Managed policies not evaluated (their documents are not in the template)', '');
      for (const m of verdict.unevaluatedManagedPolicies) lines.push(`- ${m.function}: ${cell(m.arn)}`);
    }
    lines.push(
      '',
      '### Calls evaluated',
      '',
      '| function | source | action | resource | requests | result |',
    );
    lines.push('| --- | --- | --- | --- | ---: | --- |');
    for (const call of verdict.calls) {
      lines.push(
        `| ${call.function} | ${call.source} | ${cell(call.action)} | ${cell(call.resource)} | ${call.count} | ${call.result} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
