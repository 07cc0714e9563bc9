import { afterAll, describe, expect } from 'vitest';
import { apiBaseUrl } from '../../cli/ops/api-url.ts';
import { signedFetch } from '../support/signed-fetch.ts';
import { conformance } from './conformance.support.ts';
import { deleteCreatedStacks, deployTemplate, region } from './conformance-resources.support.ts';

/**
 * API Gateway HTTP API routes with IAM authorization, as the orders API uses them: AWS refuses a
 * request without a signature and one whose signature does not match, both with 403, before any
 * integration runs. The probe's route proxies to an address nothing listens on, so a request that got
 * past authorization shows as the integration's error (5xx), never as a success.
 */
const template = {
  Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'iam-probe', ProtocolType: 'HTTP' } },
  Backend: {
    Type: 'AWS::ApiGatewayV2::Integration',
    Properties: {
      ApiId: { Ref: 'Api' },
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'POST',
      IntegrationUri: 'http://127.0.0.1:9/never',
      PayloadFormatVersion: '1.0',
    },
  },
  Route: {
    Type: 'AWS::ApiGatewayV2::Route',
    Properties: {
      ApiId: { Ref: 'Api' },
      RouteKey: 'POST /probe',
      AuthorizationType: 'AWS_IAM',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'Backend' }]] },
    },
  },
  Stage: {
    Type: 'AWS::ApiGatewayV2::Stage',
    Properties: { ApiId: { Ref: 'Api' }, StageName: '$default', AutoDeploy: true },
  },
};

let deployed: Promise<string> | undefined;

/** The probe API's URL, deployed once per file. */
function probeApi(): Promise<string> {
  deployed ??= deployTemplate(template).then((ids) => {
    if (!ids.Api)
      throw new Error(`the stack completed without an API (resources: ${Object.keys(ids).join(', ')})`);
    const aws = `https://${ids.Api}.execute-api.${region}.amazonaws.com/`;
    const endpoint = process.env.AWS_ENDPOINT_URL;
    return apiBaseUrl(aws, endpoint === undefined ? { kind: 'aws' } : { kind: 'endpoint', endpoint });
  });
  return deployed;
}

/**
 * Why the endpoint cannot run the probe: no API Gateway v2 through CloudFormation, or no execute-api
 * data plane behind it. API Gateway answers a route the API lacks with its own 404
 * `{"message":"Not Found"}`, whoever asks; anything else means no gateway answered.
 */
async function dataPlaneMissing(): Promise<string | undefined> {
  let url: string;
  try {
    url = await probeApi();
  } catch (error) {
    return `no API Gateway v2 through CloudFormation here: ${String(error).slice(0, 160)}`;
  }
  const response = await fetch(`${url}no-such-route`);
  const body = await response.text();
  if (response.status === 404 && /"message"\s*:\s*"Not Found"/.test(body)) return undefined;
  return `no execute-api data plane at ${url}: a route the API lacks answered ${response.status} ${body.slice(0, 80)}`;
}

afterAll(deleteCreatedStacks);

describe('conformance: API Gateway HTTP API with IAM authorization', () => {
  conformance(
    'a route with AWS_IAM authorization refuses an unsigned request and a wrongly signed one with 403',
    {
      unavailable: dataPlaneMissing,
      probe: async () => {
        const url = `${await probeApi()}probe`;
        const request = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
        const unsigned = await fetch(url, request);
        const wrong = signedFetch(region, {
          accessKeyId: 'AKIDWRONGSECRET0000',
          secretAccessKey: 'not-the-secret',
        });
        const wronglySigned = await wrong(url, request);
        return { unsigned: unsigned.status, wronglySigned: wronglySigned.status };
      },
      aws: (observed) => expect(observed).toEqual({ unsigned: 403, wronglySigned: 403 }),
      gaps: [
        {
          id: 'apigw-iam-signature-unverified',
          instead:
            'an AWS_IAM route refuses a request without an Authorization header (403) but never verifies the signature: a wrongly signed request reaches the integration',
          seen: ({ unsigned, wronglySigned }) => unsigned === 403 && wronglySigned !== 403,
          workaround:
            'the product keeps AuthorizationType AWS_IAM on every route (infra tests); the API e2e asserts the unsigned 403 the emulator enforces and skips, by name, the wrong-signature case it does not',
        },
      ],
    },
    90_000,
  );
});
