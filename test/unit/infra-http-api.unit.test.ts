import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { apiSettings } from '../../infra/api-settings.ts';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/http-front-door.ts';
import { PipelineStack } from '../../infra/stacks/pipeline-stack.ts';
import { stageSettings } from '../../infra/stages.ts';
import { type CfnResource, pipelineTemplate, referencedId } from './infra-fixture.ts';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

type Resources = Record<string, CfnResource>;
const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
type Environment = { Variables: Record<string, unknown> } | undefined;
const environmentOf = (r: CfnResource) => (r.Properties?.Environment as Environment)?.Variables ?? {};

function apiFunction(resources: Resources): [string, CfnResource] {
  const found = ofType(resources, 'AWS::Lambda::Function').find(
    ([, r]) => environmentOf(r).POWERTOOLS_SERVICE_NAME === 'orders-api',
  );
  if (!found) throw new Error('no orders-api function');
  return found;
}

function statementsOf(resources: Resources, roleId: string): Statement[] {
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([, r]) =>
      ((r.Properties?.Roles as unknown[]) ?? []).some((role) => referencedId(role) === roleId),
    )
    .flatMap(
      ([, p]) => (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
}

/** The stack with other API settings, synthesized without bundling and checked by cdk-nag. */
function stackWith(context: Parameters<typeof apiSettings>[0]): PipelineStack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PipelineStack(app, 'OrderPipeline-dev', {
    stage: stageSettings('dev'),
    api: apiSettings(context),
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return stack;
}

const templateWith = (context: Parameters<typeof apiSettings>[0]) =>
  Template.fromStack(stackWith(context)).toJSON().Resources as Resources;

describe.each(['dev', 'prod'] as const)('infra (%s): the orders HTTP API', (stage) => {
  const resources = pipelineTemplate(stage).toJSON().Resources as Resources;

  it('authorizes every route with IAM (SigV4) by default', () => {
    const routes = ofType(resources, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r?.RouteKey).sort()).toEqual(['GET /orders/{id}', 'POST /orders']);
    for (const route of routes) expect(route?.AuthorizationType).toBe('AWS_IAM');
    expect(ofType(resources, 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
  });

  it('keeps CORS closed unless origins are configured', () => {
    const [[, api]] = ofType(resources, 'AWS::ApiGatewayV2::Api') as [[string, CfnResource]];
    expect(api.Properties?.CorsConfiguration).toBeUndefined();
  });

  it('throttles the stage and writes one JSON access log line per request to an encrypted, retained log group', () => {
    const [[, apiStage]] = ofType(resources, 'AWS::ApiGatewayV2::Stage') as [[string, CfnResource]];
    expect(apiStage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const settings = apiStage.Properties?.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(JSON.parse(settings.Format)).toEqual(ACCESS_LOG_FIELDS);
    const logGroup = resources[referencedId(settings.DestinationArn) as string];
    expect(logGroup?.Properties?.RetentionInDays).toBe(stage === 'dev' ? 7 : 90);
    if (stage === 'prod') expect(logGroup?.Properties?.KmsKeyId).toBeDefined();
  });

  it('grants the API function exactly the saga intake, its timers and a GetItem on the read model', () => {
    const [, fn] = apiFunction(resources);
    const roleId = referencedId(fn.Properties?.Role) as string;
    const env = environmentOf(fn);
    const statements = statementsOf(resources, roleId);
    const actions = (s: Statement) => [s.Action].flat().sort();
    const on = (logicalId: string) =>
      statements.filter((s) => [s.Resource].flat().some((r) => referencedId(r) === logicalId));
    expect(
      on(referencedId(env.TABLE_NAME) as string)
        .flatMap(actions)
        .filter((a) => a.startsWith('dynamodb:')),
    ).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(
      on(referencedId(env.SUMMARY_TABLE_NAME) as string)
        .flatMap(actions)
        .filter((a) => a.startsWith('dynamodb:')),
    ).toEqual(['dynamodb:GetItem']);
    expect(on(referencedId(env.QUEUE_URL) as string).flatMap(actions)).toEqual(['sqs:SendMessage']);
    const everything = statements.filter((s) => s.Resource === '*').flatMap(actions);
    expect(everything.every((action) => action.startsWith('xray:'))).toBe(true);
    expect(statements.flatMap(actions)).not.toContain('events:PutEvents');
    // It starts sagas, never ends one: it arms timers and withdraws none.
    expect(statements.flatMap(actions).filter((a) => a.startsWith('scheduler:'))).toEqual([
      'scheduler:CreateSchedule',
    ]);
  });

  it('tells the function the saga step timeout the saga itself runs with', () => {
    const sagaFn = ofType(resources, 'AWS::Lambda::Function').find(
      ([, r]) => environmentOf(r).POWERTOOLS_SERVICE_NAME === 'order-saga',
    )?.[1] as CfnResource;
    const [, fn] = apiFunction(resources);
    expect(environmentOf(fn).SAGA_STEP_TIMEOUT_MS).toBe(environmentOf(sagaFn).SAGA_STEP_TIMEOUT_MS);
    expect(environmentOf(fn).TIMER_SCHEDULE_GROUP).toEqual(environmentOf(sagaFn).TIMER_SCHEDULE_GROUP);
  });
});

describe('infra: the orders HTTP API with a JWT authorizer', () => {
  const issuer = 'https://auth.example.com/';
  const stack = stackWith({ apiAuth: 'jwt', apiJwtIssuer: issuer, apiJwtAudience: 'shop,app' });
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;

  it('leaves cdk-nag AwsSolutions nothing to report', () => {
    const nag = Match.stringLikeRegexp('AwsSolutions-.*');
    expect(Annotations.fromStack(stack).findError('*', nag)).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', nag)).toEqual([]);
  });

  it('authorizes every route with the JWT authorizer of the configured issuer and audience', () => {
    const [[authorizerId, authorizer]] = ofType(resources, 'AWS::ApiGatewayV2::Authorizer') as [
      [string, CfnResource],
    ];
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: issuer, Audience: ['shop', 'app'] },
    });
    for (const [, route] of ofType(resources, 'AWS::ApiGatewayV2::Route')) {
      expect(route.Properties?.AuthorizationType).toBe('JWT');
      expect(referencedId(route.Properties?.AuthorizerId)).toBe(authorizerId);
    }
  });
});

describe('infra: the HTTP API settings from context', () => {
  it('opens CORS to the configured origins only', () => {
    const resources = templateWith({ apiCorsOrigins: 'https://shop.example.com' });
    const [[, api]] = ofType(resources, 'AWS::ApiGatewayV2::Api') as [[string, CfnResource]];
    expect(api.Properties?.CorsConfiguration).toMatchObject({ AllowOrigins: ['https://shop.example.com'] });
  });

  it.each([
    [{ apiAuth: 'basic' }, /iam or jwt/],
    [{ apiAuth: 'jwt', apiJwtAudience: 'shop' }, /apiJwtIssuer/],
    [{ apiAuth: 'jwt', apiJwtIssuer: 'http://plain.example.com', apiJwtAudience: 'shop' }, /apiJwtIssuer/],
    [{ apiAuth: 'jwt', apiJwtIssuer: 'https://auth.example.com' }, /apiJwtAudience/],
    [{ apiJwtIssuer: 'https://auth.example.com' }, /apiAuth=jwt/],
    [{ apiCorsOrigins: '*' }, /no "\*"/],
    [{ apiRateLimit: '0' }, /apiRateLimit/],
  ])('refuses %j with what to write instead', (context, message) => {
    expect(() => apiSettings(context)).toThrow(message);
  });
});
