import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handleOrdersRequest } from '../../shared/contexts/orders/use-cases/api.ts';
import { deps } from './config.ts';

/**
 * The orders HTTP API behind API Gateway (payload format 2.0, header names lower-cased): maps the
 * request in, the answer out. `POST /orders` and `GET /orders/{id}` (shared/contexts/orders/use-cases/api.ts).
 */
export async function handler(
  event: APIGatewayProxyEventV2,
  context: Pick<Context, 'awsRequestId'>,
): Promise<APIGatewayProxyStructuredResultV2> {
  const body =
    event.body === undefined || !event.isBase64Encoded
      ? event.body
      : Buffer.from(event.body, 'base64').toString('utf8');
  const answer = await handleOrdersRequest(
    deps,
    {
      routeKey: event.routeKey,
      method: event.requestContext.http.method,
      path: event.rawPath,
      headers: event.headers,
      body,
      orderId: event.pathParameters?.id,
      caller: callerOf(event),
    },
    event.requestContext.requestId ?? context.awsRequestId,
  );
  return { statusCode: answer.statusCode, headers: { ...answer.headers }, body: answer.body };
}

/** Who API Gateway authorized: the SigV4 caller's ARN, or the JWT's issuer and subject. */
function callerOf(event: APIGatewayProxyEventV2): string {
  const authorizer = (event.requestContext as { authorizer?: Authorizer }).authorizer;
  const iam = authorizer?.iam?.userArn;
  if (iam) return `iam:${iam}`;
  const claims = authorizer?.jwt?.claims;
  return claims?.sub ? `jwt:${String(claims.iss ?? '')}:${String(claims.sub)}` : '';
}

/** The authorizer block of payload 2.0, for IAM and JWT routes. */
interface Authorizer {
  readonly iam?: { readonly userArn?: string | null };
  readonly jwt?: { readonly claims?: Readonly<Record<string, unknown>> };
}
