import type { FastifyInstance, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { HttpFailure } from './errors.js';

/**
 * Body parsing that refuses what it cannot read faithfully: invalid UTF-8 is a 400 (Node would
 * otherwise turn it into U+FFFD silently and store garbage), text/plain is not accepted (415), and
 * HTML form posts are decoded by the same strict rule.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export const MAX_BODY_BYTES = 1024 * 1024;

type Part = 'body' | 'query';
const PART_NAME: Record<Part, string> = { body: 'Body', query: 'Query string' };

function invalidUtf8(part: Part = 'body'): HttpFailure {
  const message = `${PART_NAME[part]} is not valid UTF-8`;
  return new HttpFailure(400, 'INVALID_ENCODING', message, [{ field: `(${part})`, message, code: 'INVALID_FORMAT' }]);
}

function malformedForm(part: Part): HttpFailure {
  const message = `${PART_NAME[part]} is not valid application/x-www-form-urlencoded`;
  return new HttpFailure(400, 'INVALID_FORM', message, [{ field: `(${part})`, message, code: 'INVALID_FORMAT' }]);
}

/** One form component: '+' is a space, %XX are bytes, and the bytes must be UTF-8. */
function decodeComponent(s: string, part: Part): string {
  const text = s.replace(/\+/g, ' ');
  if (!text.includes('%')) return text;
  if (/%(?![0-9a-fA-F]{2})/.test(text)) throw malformedForm(part);
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(text[i] as string, 'utf8')) bytes.push(b);
    }
  }
  try {
    return strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    throw invalidUtf8(part);
  }
}

/** application/x-www-form-urlencoded → a plain object; a repeated key becomes an array (and fails the schema). */
export function parseForm(body: string, part: Part = 'body'): Record<string, string | string[]> {
  // formbody decodes raw bytes as UTF-8 with replacement, so a U+FFFD here means invalid raw bytes.
  if (body.includes('\uFFFD')) throw invalidUtf8(part);
  const out: Record<string, string | string[]> = {};
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq), part);
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1), part);
    const prev = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
    // defineProperty: a key named __proto__ stays an ordinary (unknown) field instead of a prototype.
    Object.defineProperty(out, key, {
      value: prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

export const MAX_JSON_DEPTH = 32;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Walks a parsed JSON value without recursion (a 1 MB body can nest 500,000 deep): its nesting depth
 * (stops counting past `limit`) and whether any key or string holds a lone surrogate — "\ud800" is
 * legal JSON but not Unicode text, so it is invalid UTF-8 by another road.
 */
export function inspectJson(value: unknown, limit = MAX_JSON_DEPTH): { depth: number; loneSurrogate: boolean } {
  let depth = 0;
  let loneSurrogate = false;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length && depth <= limit) {
    const [v, level] = stack.pop() as [unknown, number];
    if (typeof v === 'string') loneSurrogate ||= LONE_SURROGATE.test(v);
    if (v === null || typeof v !== 'object') continue;
    depth = Math.max(depth, level + 1);
    for (const [key, child] of Object.entries(v)) {
      loneSurrogate ||= LONE_SURROGATE.test(key);
      stack.push([child, level + 1]);
    }
  }
  return { depth, loneSurrogate };
}

function tooDeep(): HttpFailure {
  const message = `Body is nested more than ${MAX_JSON_DEPTH} levels deep`;
  return new HttpFailure(400, 'INVALID_JSON', message, [{ field: '(body)', message, code: 'INVALID_FORMAT' }]);
}

export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(invalidUtf8(), undefined);
      return;
    }
    json(request, text, (err, parsed) => {
      if (err) return done(err, undefined);
      const seen = inspectJson(parsed);
      if (seen.depth > MAX_JSON_DEPTH) done(tooDeep(), undefined);
      else if (seen.loneSurrogate) done(invalidUtf8(), undefined);
      else done(null, parsed);
    });
  });
  await app.register(formbody, { parser: (body) => parseForm(body) });
}

/**
 * onRequest: the query string obeys the same rule as bodies (the router's own parser would pass
 * %FF through as text). Parsing here is only a check; Fastify's parsed request.query is used.
 */
export async function checkQueryEncoding(request: FastifyRequest): Promise<void> {
  const at = request.url.indexOf('?');
  if (at !== -1) parseForm(request.url.slice(at + 1), 'query');
}
