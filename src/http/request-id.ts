import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Request ids: a caller's (or proxy's) `X-Request-Id` is kept when it is short and plain, so one id follows
 * a request through every hop; anything else (missing, too long, odd characters that could forge log
 * fields, a header sent twice) is replaced by a fresh UUID. Fastify logs it as `reqId` on every line of the
 * request and the server echoes it in the response.
 */
export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_ID.test(header) ? header : randomUUID();
}

/** Fastify's genReqId. */
export function genReqId(req: IncomingMessage): string {
  return requestIdOf(req.headers[REQUEST_ID_HEADER]);
}
