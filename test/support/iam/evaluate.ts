/**
 * The IAM check's decider: every call a function made (recorded) or that AWS makes with its role
 * (platform, implied KMS use) is put to a policy simulator with the function's identity policies and
 * the target's resource policy, all read from one template. Out come the denied calls, each with the
 * statement that would have allowed it, and every granted (action, resource) no call used.
 * The simulator is passed in, so this module stays pure and its tests need no library.
 */
import { arnTranslator, functionOfCaller, iamCallsOf, type Scope } from './calls.ts';
import {
  asList,
  type FunctionModel,
  type IamCall,
  type NamedPolicy,
  type PermissionModel,
  type PolicyDocument,
  permissionModel,
  type ServiceDelivery,
} from './policies.ts';
import type { RecordedRequest } from './requests.ts';
import type { TemplateReader } from './template.ts';

/** What the evaluator asks a simulator: one request, the principal's policies, the resource's policy. */
export interface SimulationQuestion {
  readonly principal: string;
  readonly account: string;
  readonly action: string;
  readonly resource: string;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly resourcePolicy?: PolicyDocument;
  /** Request context beyond TLS (a service delivery's aws:SourceArn and aws:SourceAccount). */
  readonly context?: Readonly<Record<string, string>>;
}

export interface SimulationAnswer {
  readonly result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | 'Error';
  /** Why it was not allowed, as the simulator names it (policy type, statement), empty when allowed. */
  readonly reasons: readonly string[];
}

export type Simulate = (question: SimulationQuestion) => Promise<SimulationAnswer>;

export type CallSource = 'recorded' | 'platform' | 'implied';

export interface EvaluatedCall extends IamCall {
  readonly function: string;
  readonly source: CallSource;
  /** Why a platform or implied call is made; empty for a recorded one. */
  readonly why: string;
  /** How many recorded requests stand for this call (0 for platform and implied calls). */
  readonly count: number;
  readonly result: SimulationAnswer['result'];
  readonly reasons: readonly string[];
  /** For a denied call: the identity statement that would have allowed it. */
  readonly lacking?: { readonly Effect: 'Allow'; readonly Action: string; readonly Resource: string };
}

export interface EvaluatedDelivery extends ServiceDelivery {
  readonly result: SimulationAnswer['result'];
  readonly reasons: readonly string[];
}

export interface UnusedGrant {
  readonly function: string;
  readonly policy: string;
  /** The statement's Sid, or its 1-based index in the policy. */
  readonly statement: string;
  readonly action: string;
  readonly resource: string;
}

export interface TemplateVerdict {
  readonly template: string;
  /** Recorded requests read, and those no function of this template made (test traffic, deploy). */
  readonly requests: number;
  readonly unattributed: number;
  readonly calls: readonly EvaluatedCall[];
  readonly denied: readonly EvaluatedCall[];
  /** Deliveries by service principals (rules, subscriptions, alarms), and those the target's policy refuses. */
  readonly deliveries: readonly EvaluatedDelivery[];
  readonly deniedDeliveries: readonly EvaluatedDelivery[];
  readonly unused: readonly UnusedGrant[];
  /**
   * Functions of the template that made no recorded call: their grants are unused because the run
   * did not exercise them, which says nothing about whether they need them.
   */
  readonly unexercised: readonly string[];
  /** Managed policies attached to roles: not in the template, so not evaluated. */
  readonly unevaluatedManagedPolicies: readonly { readonly function: string; readonly arn: string }[];
}

/** IAM wildcard pattern match (`*` any run, `?` one character). */
export function matchesPattern(pattern: string, value: string, ignoreCase = false): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, ignoreCase ? 'i' : '').test(value);
}

/** KMS use AWS makes with the caller's credentials when the target is encrypted by a customer key. */
function impliedKmsCalls(call: IamCall, model: PermissionModel): (IamCall & { why: string })[] {
  const key = model.encryptionKeys.get(call.resource);
  if (!key) return [];
  const why = `${call.action} on ${call.resource}, encrypted by this key`;
  if (call.action === 'sns:Publish' || call.action === 'sqs:SendMessage') {
    return [
      { action: 'kms:GenerateDataKey', resource: key, why },
      { action: 'kms:Decrypt', resource: key, why },
    ];
  }
  if (call.action === 'sqs:ReceiveMessage') return [{ action: 'kms:Decrypt', resource: key, why }];
  return [];
}

interface PendingCall extends IamCall {
  function: string;
  source: CallSource;
  why: string;
  count: number;
}

function collectCalls(
  requests: readonly RecordedRequest[],
  model: PermissionModel,
  scope: Scope,
  translate: (arn: string) => string,
): { calls: PendingCall[]; unattributed: number } {
  const ids = model.functions.map((f) => f.logicalId);
  const calls = new Map<string, PendingCall>();
  const add = (call: Omit<PendingCall, 'count'>, count: number) => {
    const key = `${call.function}\u0000${call.source}\u0000${call.action}\u0000${call.resource}`;
    const existing = calls.get(key);
    if (existing) existing.count += count;
    else calls.set(key, { ...call, count });
  };
  let unattributed = 0;
  for (const request of requests) {
    const fn = functionOfCaller(request.caller, ids);
    if (!fn) {
      unattributed += 1;
      continue;
    }
    for (const raw of iamCallsOf(request, scope)) {
      const call = { action: raw.action, resource: translate(raw.resource) };
      add({ ...call, function: fn, source: 'recorded', why: '' }, 1);
      for (const implied of impliedKmsCalls(call, model))
        add({ ...implied, function: fn, source: 'implied' }, 0);
    }
  }
  for (const fn of model.functions) {
    for (const call of fn.platformCalls) {
      add({ ...call, function: fn.logicalId, source: 'platform' }, 0);
      for (const implied of impliedKmsCalls(call, model))
        add({ ...implied, function: fn.logicalId, source: 'implied' }, 0);
    }
  }
  return { calls: [...calls.values()], unattributed };
}

/** Every (action, resource) an identity policy of `fn` allows, statement by statement. */
export function grantsOf(fn: FunctionModel): UnusedGrant[] {
  const grants: UnusedGrant[] = [];
  for (const { name, policy } of fn.identityPolicies) {
    asList(policy.Statement).forEach((statement, index) => {
      if (statement.Effect !== 'Allow' || statement.NotAction || statement.NotResource) return;
      for (const action of asList(statement.Action)) {
        for (const resource of asList(statement.Resource)) {
          grants.push({
            function: fn.logicalId,
            policy: name,
            statement: statement.Sid ?? String(index + 1),
            action,
            resource,
          });
        }
      }
    });
  }
  return grants;
}

/**
 * Grants no call of the function matched (by action and resource pattern). A denied call still
 * uses the grant it matched (a KMS key policy may deny what the role allows).
 */
export function unusedGrants(model: PermissionModel, calls: readonly EvaluatedCall[]): UnusedGrant[] {
  return model.functions.flatMap((fn) => {
    const used = calls.filter((c) => c.function === fn.logicalId);
    return grantsOf(fn).filter(
      (grant) =>
        !used.some(
          (call) =>
            matchesPattern(grant.action, call.action, true) && matchesPattern(grant.resource, call.resource),
        ),
    );
  });
}

/**
 * Evaluates the recorded requests (ARNs as deployed) against `template`'s policies. `deployed` reads
 * the deployed stack's names, so each ARN is translated to the same resource as `template` names it.
 */
export async function evaluateTemplate(
  name: string,
  template: TemplateReader,
  deployed: TemplateReader,
  requests: readonly RecordedRequest[],
  simulate: Simulate,
): Promise<TemplateVerdict> {
  const model = permissionModel(template);
  const scope = { account: deployed.naming.account, region: deployed.naming.region };
  const { calls: pending, unattributed } = collectCalls(
    requests,
    model,
    scope,
    arnTranslator(deployed, template),
  );
  const byId = new Map(model.functions.map((f) => [f.logicalId, f]));
  const calls: EvaluatedCall[] = [];
  for (const call of pending) {
    const fn = byId.get(call.function) as FunctionModel;
    const answer = await simulate({
      principal: fn.principal,
      account: model.account,
      action: call.action,
      resource: call.resource,
      identityPolicies: fn.identityPolicies,
      resourcePolicy: model.resourcePolicies.get(call.resource),
    });
    const denied = answer.result !== 'Allowed';
    calls.push({
      ...call,
      result: answer.result,
      reasons: answer.reasons,
      ...(denied ? { lacking: { Effect: 'Allow', Action: call.action, Resource: call.resource } } : {}),
    });
  }
  const deliveries: EvaluatedDelivery[] = [];
  for (const delivery of model.deliveries) {
    const answer = await simulate({
      principal: delivery.principal,
      account: model.account,
      action: delivery.action,
      resource: delivery.resource,
      identityPolicies: [],
      resourcePolicy: model.resourcePolicies.get(delivery.resource),
      context: { 'aws:SourceArn': delivery.sourceArn, 'aws:SourceAccount': model.account },
    });
    deliveries.push({ ...delivery, result: answer.result, reasons: answer.reasons });
  }
  calls.sort(
    (a, b) =>
      a.function.localeCompare(b.function) ||
      a.action.localeCompare(b.action) ||
      a.resource.localeCompare(b.resource),
  );
  return {
    template: name,
    requests: requests.length,
    unattributed,
    calls,
    denied: calls.filter((c) => c.result !== 'Allowed'),
    deliveries,
    deniedDeliveries: deliveries.filter((d) => d.result !== 'Allowed'),
    unused: unusedGrants(model, calls),
    unexercised: model.functions
      .map((f) => f.logicalId)
      .filter((id) => !calls.some((c) => c.function === id && c.source === 'recorded')),
    unevaluatedManagedPolicies: model.functions.flatMap((fn) =>
      fn.managedPolicyArns.map((arn) => ({ function: fn.logicalId, arn })),
    ),
  };
}
