import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProductErrorCode, ValidationError } from '../orders/index.js';
import type { MediaErrorCode } from '../media/product-images.js';
import type { LiveErrorCode } from '../orders/live/live-types.js';

/**
 * Every failure the API answers with has one shape: `{ success: false, error, code, validation_errors? }`.
 * Result codes become HTTP statuses in exactly one place (httpStatusFor); transport errors (bad JSON,
 * wrong media type, oversized body) are mapped by the error handler below. Bodies never carry a stack,
 * SQL or the raw error message of an unexpected failure; those go to the log.
 */
export interface FailureBody {
  success: false;
  error: string;
  code: string;
  validation_errors?: ValidationError[];
  [extra: string]: unknown;
}

/** An expected HTTP-level failure raised by our own hooks (auth, idempotency, encoding). */
export class HttpFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly validationErrors?: ValidationError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
}

/**
 * Every engine result code and its HTTP status, in one table. It is typed as a Record over the
 * engine's code union, so a code the engine adds fails the typecheck here until it is given a status.
 * NOT_FOUND codes are 404 when the missing thing is the resource in the URL; `httpStatusFor` turns
 * them into 400 when it was named in the body (a product id inside an order: the seed answers 400).
 */
type ApiErrorCode = ProductErrorCode | MediaErrorCode | LiveErrorCode;

const STATUS: Record<ApiErrorCode, number> = {
  REQUIRED: 400,
  INVALID_FORMAT: 400,
  INVALID_TYPE: 400,
  OUT_OF_RANGE: 400,
  TOO_LONG: 400,
  UNKNOWN_FIELD: 400,
  VALIDATION_FAILED: 400,
  USER_NOT_FOUND: 404,
  USER_BLOCKED: 400,
  PRODUCT_NOT_FOUND: 404,
  PRODUCT_INACTIVE: 400,
  INSUFFICIENT_STOCK: 400,
  TOTAL_MISMATCH: 400,
  INVALID_PROMO: 400,
  INVALID_PAYMENT_METHOD: 400,
  CART_ALREADY_ORDERED: 409,
  ORDER_NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  RESERVATION_EXPIRED: 409,
  PAYMENT_NOT_REQUIRED: 409,
  DUPLICATE_SKU: 409,
  STOCK_BELOW_RESERVED: 409,
  SALE_NOT_FOUND: 404,
  SALE_ALREADY_LIVE: 409,
  SALE_NOT_LIVE: 409,
  NO_LIVE_VIDEO: 409,
  LIVE_VIDEO_LOOKUP_FAILED: 502,
  NOT_AN_IMAGE: 415,
  TOO_LARGE: 413,
  INTERNAL_ERROR: 500,
};

/** The one map from an engine result code to an HTTP status (an unknown code is a 500: a bug). */
export function httpStatusFor(code: string, where: 'path' | 'body' = 'path'): number {
  const status = Object.hasOwn(STATUS, code) ? STATUS[code as ApiErrorCode] : 500;
  return status === 404 && where === 'body' ? 400 : status;
}

export function internalErrorBody(): FailureBody {
  return { success: false, error: 'Internal server error', code: 'INTERNAL_ERROR' };
}

/** Fastify's own errors that are the client's fault, with the field they concern and our code. */
const TRANSPORT: Record<string, { code: string; field: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_JSON', field: '(body)', message: 'Body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'INVALID_JSON', field: '(body)', message: 'Body is empty but Content-Type is application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', field: '(body)', message: 'Body is larger than 1 MB' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    field: 'content-type',
    message: 'Content-Type must be application/json (or application/x-www-form-urlencoded for forms)',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'INVALID_CONTENT_LENGTH', field: 'content-length' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', field: 'content-type' },
};

/** JSON-schema (ajv) errors from other features' routes, in the same field-level shape. */
function fromAjv(err: FastifyError): ValidationError[] {
  return (err.validation ?? []).map((v) => {
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const extra = (v.params as { additionalProperty?: string }).additionalProperty;
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const field = [path, missing ?? extra].filter(Boolean).join('.') || `(${err.validationContext ?? 'body'})`;
    const code = missing ? 'REQUIRED' : extra ? 'UNKNOWN_FIELD' : 'INVALID_FORMAT';
    return { field, message: v.message ?? 'is invalid', code };
  });
}

function sendFailure(reply: FastifyReply, status: number, body: FailureBody): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Installs the error and not-found handlers on the root instance (children inherit them). */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpFailure, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof HttpFailure) {
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
      const body: FailureBody = { success: false, error: err.message, code: err.code };
      if (err.validationErrors) body.validation_errors = err.validationErrors;
      return sendFailure(reply, err.statusCode, body);
    }
    if (err.code === 'FST_ERR_VALIDATION') {
      const errors = (err as { validationErrors?: ValidationError[] }).validationErrors ?? fromAjv(err);
      const first = errors[0];
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
      const error = first ? `Invalid ${first.field}: ${first.message}${more}` : 'Validation failed';
      return sendFailure(reply, 400, { success: false, error, code: 'VALIDATION_FAILED', validation_errors: errors });
    }
    const transport = err.code ? TRANSPORT[err.code] : undefined;
    if (transport) {
      const message = transport.message ?? err.message;
      const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
      return sendFailure(reply, status, {
        success: false,
        error: message,
        code: transport.code,
        validation_errors: [{ field: transport.field, message, code: 'INVALID_FORMAT' }],
      });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Other client errors Fastify raises (bad URL encoding, invalid headers): their messages are safe.
      request.log.info({ code: err.code }, 'client error');
      return sendFailure(reply, err.statusCode, { success: false, error: err.message, code: err.code ?? 'BAD_REQUEST' });
    }
    request.log.error({ err }, 'request failed');
    return sendFailure(reply, 500, internalErrorBody());
  });

  app.setNotFoundHandler((request, reply) =>
    sendFailure(reply, 404, { success: false, error: `No route for ${request.method} ${request.url.split('?')[0]}`, code: 'NOT_FOUND' }),
  );
}

/** An engine failure result → its HTTP status and the API's failure body (INTERNAL_ERROR says nothing more). */
export function sendEngineFailure(
  reply: FastifyReply,
  result: { success: false; error: string; code: string; [extra: string]: unknown },
  where: 'path' | 'body' = 'path',
): FastifyReply {
  const status = httpStatusFor(result.code, where);
  return sendFailure(reply, status, status >= 500 ? internalErrorBody() : { ...result, success: false });
}

/** Errors the router raises before any route or hook runs (malformed URL, oversized path segment). */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
  const error = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment of the URL is too long' : 'The URL is malformed';
  void sendFailure(reply, status, { success: false, error, code: err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'URL_TOO_LONG' : 'BAD_URL' });
}
