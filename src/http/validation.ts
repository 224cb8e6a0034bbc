import type { FastifyInstance, FastifyTypeProvider } from 'fastify';
import type { z } from 'zod';
import type { ErrorCode, ValidationError } from '../orders/index.js';

/**
 * Route schemas are zod schemas (strict objects, so an unknown field is a 400 naming it). Fastify runs
 * them through this compiler; a failure becomes an error carrying field-level validation_errors that
 * the error handler turns into the seed's 400 shape.
 */
type Issue = z.core.$ZodIssue;

/** Field names as the engine writes them: 'items.0.quantity', '(body)' for the whole body. */
function fieldOf(path: PropertyKey[], part: string): string {
  return path.map(String).join('.') || `(${part})`;
}

function codeOf(issue: Issue): ErrorCode {
  const custom = (issue as { params?: { code?: ErrorCode } }).params?.code;
  if (custom) return custom;
  switch (issue.code) {
    case 'unrecognized_keys':
      return 'UNKNOWN_FIELD';
    case 'invalid_type':
      // parse with reportInput so a missing field (input undefined) reads as REQUIRED
      return 'input' in issue && issue.input === undefined ? 'REQUIRED' : 'INVALID_TYPE';
    case 'too_big':
      return issue.origin === 'string' ? 'TOO_LONG' : 'OUT_OF_RANGE';
    case 'too_small':
      return issue.origin === 'string' && issue.minimum === 1 ? 'REQUIRED' : 'OUT_OF_RANGE';
    case 'invalid_value':
    case 'invalid_format':
    case 'invalid_union':
      return 'INVALID_FORMAT';
    default:
      return 'VALIDATION_FAILED';
  }
}

/** zod issues → the seed's `validation_errors` entries (one per unknown key, so each is named). */
export function toValidationErrors(issues: readonly Issue[], part = 'body'): ValidationError[] {
  const out: ValidationError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ field: fieldOf([...issue.path, key], part), message: `unknown field "${key}"`, code: 'UNKNOWN_FIELD' });
      }
      continue;
    }
    const code = codeOf(issue);
    out.push({ field: fieldOf(issue.path, part), message: code === 'REQUIRED' ? 'is required' : issue.message, code });
  }
  return out;
}

export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_VALIDATION';
  constructor(readonly validationErrors: ValidationError[]) {
    super(validationErrors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

/** A missing body (no Content-Type, e.g. a bare POST .../deliver) is validated as {}. */
export function useZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler<z.ZodType>(({ schema, httpPart }) => (data: unknown) => {
    const input = httpPart === 'body' && (data === null || data === undefined) ? {} : data;
    const parsed = schema.safeParse(input, { reportInput: true });
    if (parsed.success) return { value: parsed.data };
    const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'body');
    return { error: new RequestValidationError(toValidationErrors(parsed.error.issues, part)) };
  });
}

/** Lets handlers see the parsed zod output as request.body / query / params types. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}
