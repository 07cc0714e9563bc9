import { type HttpAnswer, json, ProblemError, problem } from '../../../kit/http/problem.ts';
import type { HttpRequest } from '../../../kit/http/request.ts';
import { errorFields, type LogPort } from '../../../kit/observability/logger.ts';
import type { OrderSummary } from '../domain/order-summary.ts';
import { type PlaceOrderDeps, placeOrder } from './api-place-order.ts';
import type { OrderSummaryRepository } from './order-summary.ts';

/** What the orders API needs: placing (see {@link PlaceOrderDeps}) and the read model. */
export interface OrdersApiDeps extends PlaceOrderDeps {
  readonly summaries: Pick<OrderSummaryRepository, 'get'>;
  readonly logger: LogPort;
}

/** The routes the API answers; API Gateway routes exactly these (anything else is its own 404). */
export const ORDERS_API_ROUTES = ['POST /orders', 'GET /orders/{id}'] as const;

/** An order id as a path segment (ids are free text in the catalog; a path segment is bounded). */
const PATH_ORDER_ID = /^[^/]{1,200}$/;

/**
 * The orders HTTP API: `POST /orders` places an order (see `placeOrder`), `GET /orders/{id}` answers
 * the order's summary from the read model (status, items, total, timeline; 404 when unknown). Bad input
 * is a problem document (RFC 9457); an unexpected failure a 500 problem, logged with its cause.
 */
export async function handleOrdersRequest(
  deps: OrdersApiDeps,
  request: HttpRequest & { readonly routeKey: string; readonly orderId?: string | undefined },
  requestId: string,
): Promise<HttpAnswer> {
  try {
    if (request.routeKey === 'POST /orders') return await placeOrder(deps, request, requestId);
    if (request.routeKey === 'GET /orders/{id}') return await getOrder(deps, request.orderId ?? '');
    return problem('not-found', `no route ${request.routeKey}`);
  } catch (error) {
    if (error instanceof ProblemError) {
      deps.logger.info('request refused', { routeKey: request.routeKey, problem: error.kind });
      return error.answer;
    }
    deps.logger.error('request failed', { routeKey: request.routeKey, requestId, ...errorFields(error) });
    return problem('internal', `request ${requestId} failed; nothing is lost by retrying it`, { requestId });
  }
}

async function getOrder(deps: Pick<OrdersApiDeps, 'summaries'>, orderId: string): Promise<HttpAnswer> {
  const found = PATH_ORDER_ID.test(orderId) ? await deps.summaries.get(orderId) : undefined;
  if (found === undefined) return problem('not-found', `no order ${orderId}`, { path: 'path.id' });
  return json(200, view(found.summary));
}

/** The summary as the API shows it: what a customer or a storefront needs. */
function view(summary: OrderSummary) {
  return {
    orderId: summary.orderId,
    status: summary.status,
    items: summary.items,
    total: summary.total,
    currency: summary.currency,
    ...(summary.reason === undefined ? {} : { reason: summary.reason }),
    ...(summary.refusals === undefined ? {} : { refusals: summary.refusals }),
    timeline: summary.timeline,
  };
}
