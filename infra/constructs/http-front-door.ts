import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  type CorsPreflightOptions,
  HttpApi,
  type HttpMethod,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { ApiSettings } from '../api-settings.ts';
import type { StageSettings } from '../stages.ts';
import { ALARM_PERIOD, thresholdAlarm } from './alarms.ts';
import type { CheckovSkip } from './checkov.ts';
import { dataKey, skipIfAwsManagedKey } from './data-key.ts';
import { FUNCTION_CHECKOV_SKIPS, PipelineFunction } from './pipeline-function.ts';

/** Props of {@link HttpFrontDoor}. */
export interface HttpFrontDoorProps {
  readonly stage: StageSettings;
  readonly api: ApiSettings;
  /** The function behind every route, e.g. `functions/api/handler.ts`. */
  readonly entry: string;
  readonly serviceName: string;
  /** Route keys the function answers, e.g. `POST /orders`; anything else is API Gateway's own 404. */
  readonly routes: readonly string[];
  readonly environment: Record<string, string>;
  /** The function's timeout; under the integration's 29 s. */
  readonly timeout: Duration;
  /** Where the function's errors and the API's 5xx answers alarm. */
  readonly alarmTopic: ITopic;
}

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE) (\/[\w{}\-/]*)$/;

/**
 * The largest integration timeout CDK takes for an HTTP API (29 s); the function's must stay below it
 * so the caller gets the function's answer, never the gateway's 503.
 */
const INTEGRATION_TIMEOUT_SECONDS = 29;
const MAX_TIMEOUT_SECONDS = INTEGRATION_TIMEOUT_SECONDS - 1;

/**
 * HTTP → Lambda: an API Gateway HTTP API whose routes all go to one function (payload format 2.0),
 * secure by default: every route authorized (IAM/SigV4 unless the settings ask for JWT), CORS closed
 * unless origins are configured, the `$default` stage throttled, access logs in JSON to a log group
 * with the stage's retention and key. Exposes the API, its stage, the function and the URL.
 */
export class HttpFrontDoor extends Construct {
  readonly api: HttpApi;
  readonly httpStage: HttpStage;
  readonly function: PipelineFunction['function'];
  readonly accessLogs: LogGroup;
  readonly alarms: { readonly errors: Alarm; readonly serverErrors: Alarm };
  /** The `$default` stage's URL (the API's endpoint), ending in `/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: HttpFrontDoorProps) {
    super(scope, id);
    const routes = validRoutes(id, props.routes);
    if (props.timeout.toSeconds() > MAX_TIMEOUT_SECONDS) {
      throw new Error(
        `${id}: timeout must be at most ${MAX_TIMEOUT_SECONDS} s (API Gateway waits ${INTEGRATION_TIMEOUT_SECONDS} s)`,
      );
    }
    const handler = new PipelineFunction(this, 'Handler', {
      entry: props.entry,
      stage: props.stage,
      serviceName: props.serviceName,
      environment: props.environment,
      timeout: props.timeout,
      checkovSkips: HTTP_FUNCTION_CHECKOV_SKIPS,
    });
    this.function = handler.function;
    this.api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-${props.serviceName}`,
      description: `${props.serviceName}: ${routes.map((r) => r.key).join(', ')}`,
      createDefaultStage: false,
      defaultAuthorizer: authorizer(props.api),
      ...(props.api.corsOrigins.length === 0 ? {} : { corsPreflight: cors(props.api.corsOrigins) }),
    });
    const integration = new HttpLambdaIntegration('Function', this.function, {
      timeout: Duration.seconds(INTEGRATION_TIMEOUT_SECONDS),
    });
    for (const route of routes) {
      this.api.addRoutes({ path: route.path, methods: [route.method], integration });
    }
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.stage.logRetention,
      removalPolicy: props.stage.removalPolicy,
      encryptionKey: dataKey(this, props.stage),
    });
    skipIfAwsManagedKey(this.accessLogs, props.stage, 'logGroup');
    this.httpStage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.api.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    // The endpoint the service reports (GetAtt ApiEndpoint) rather than one spelled from the region:
    // a local cloud answers on its own host, and reports it there.
    this.url = `${this.api.apiEndpoint}/`;
    this.alarms = {
      errors: thresholdAlarm(this, 'Errors', this.function.metricErrors({ period: ALARM_PERIOD }), {
        description: `Invocation errors of ${props.serviceName} (${this.node.path})`,
        threshold: 0,
        alarmTopic: props.alarmTopic,
      }),
      // 5xx = the function failed or timed out, or the gateway could not reach it: never bad input.
      serverErrors: thresholdAlarm(
        this,
        'ServerErrors',
        this.api.metricServerError({ period: ALARM_PERIOD }),
        {
          description: `5xx answers of ${props.serviceName} (${this.node.path})`,
          threshold: 0,
          alarmTopic: props.alarmTopic,
        },
      ),
    };
    if (props.api.authorization.kind === 'iam') suppressIamAuthorizerFinding(this.api);
  }

  /** A stack output with the URL, named `name`. */
  output(name: string): CfnOutput {
    return new CfnOutput(this, name, { value: this.url });
  }
}

/**
 * checkov's Lambda checks the API's function answers by design: like the consumers' (no VPC, no
 * secret in the environment), but invoked by API Gateway, synchronously, and bounded by the stage's
 * throttle.
 */
export const HTTP_FUNCTION_CHECKOV_SKIPS: readonly CheckovSkip[] = [
  {
    id: 'CKV_AWS_116',
    comment:
      'No async dead-letter queue: API Gateway invokes the function synchronously (the caller gets the error and retries with its Idempotency-Key); nothing invokes it asynchronously.',
  },
  {
    id: 'CKV_AWS_115',
    comment:
      "No reserved concurrency: the API stage's throttle (rate and burst) bounds the function's concurrency; reserving would carve the account pool for the consumers.",
  },
  ...FUNCTION_CHECKOV_SKIPS.filter((skip) => skip.id === 'CKV_AWS_117' || skip.id === 'CKV_AWS_173'),
];

/**
 * One JSON object per request: who (the SigV4 caller or the JWT subject), what (route, status,
 * latency), and why it failed (authorizer and integration errors), never the body.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userArn: '$context.identity.userArn',
  jwtSubject: '$context.authorizer.claims.sub',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  error: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
} as const;

function validRoutes(id: string, keys: readonly string[]) {
  if (keys.length === 0) throw new Error(`${id}: at least one route is required`);
  if (new Set(keys).size !== keys.length) throw new Error(`${id}: a route is listed twice`);
  return keys.map((key) => {
    const match = ROUTE_KEY.exec(key);
    if (!match) throw new Error(`${id}: route "${key}" is not "<METHOD> /<path>"`);
    return { key, method: match[1] as HttpMethod, path: match[2] as string };
  });
}

function authorizer(api: ApiSettings): IHttpRouteAuthorizer {
  const { authorization } = api;
  if (authorization.kind === 'iam') return new HttpIamAuthorizer();
  return new HttpJwtAuthorizer('Jwt', authorization.issuer, { jwtAudience: [...authorization.audience] });
}

function cors(origins: readonly string[]): CorsPreflightOptions {
  return {
    allowOrigins: [...origins],
    allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
    allowHeaders: [
      'content-type',
      'idempotency-key',
      'prefer',
      'authorization',
      'x-amz-date',
      'x-amz-security-token',
      'x-amz-content-sha256',
    ],
    exposeHeaders: ['location', 'x-correlation-id'],
    maxAge: Duration.hours(1),
  };
}

/**
 * cdk-nag's APIG4 and COG4 look for an authorizer resource; IAM authorization is a route setting
 * (AuthorizationType AWS_IAM) with none. The infra tests assert every route carries it.
 */
function suppressIamAuthorizerFinding(api: HttpApi): void {
  NagSuppressions.addResourceSuppressions(
    api,
    [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Every route is authorized with IAM (SigV4, AuthorizationType AWS_IAM), which needs no authorizer resource; asserted over the template by the infra unit tests.',
      },
    ],
    true,
  );
}
