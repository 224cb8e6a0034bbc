import type { z } from 'zod';
import type { ValidationError } from '../orders/index.js';

/**
 * The engine's input schemas (orders, products) strip fields they do not know, which suits the bot
 * and the workers; an API client that sends `quantiy` or `discount` must instead hear that the field
 * is unknown. This walks the engine's own schema (so there is no second list of fields to keep in
 * step) and names every key of the body that the schema does not declare, at any depth.
 */
type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; catchall?: z.ZodType; getter?: () => z.ZodType };

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

function defOf(schema: z.ZodType): Def {
  let def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  for (let i = 0; i < 20; i++) {
    const next = WRAPPERS.has(def.type) ? def.innerType : def.type === 'pipe' ? def.in : def.type === 'lazy' ? def.getter?.() : undefined;
    if (!next) break;
    def = (next as unknown as { _zod: { def: Def } })._zod.def;
  }
  return def;
}

function join(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

export function findUnknownFields(schema: z.ZodType, data: unknown, path = ''): ValidationError[] {
  const def = defOf(schema);
  const out: ValidationError[] = [];
  if (def.type === 'object' && def.shape && data && typeof data === 'object' && !Array.isArray(data)) {
    const open = def.catchall !== undefined && defOf(def.catchall).type !== 'never';
    for (const [key, value] of Object.entries(data)) {
      const field = def.shape[key];
      if (field) out.push(...findUnknownFields(field, value, join(path, key)));
      else if (!open) out.push({ field: join(path, key), message: `unknown field "${key}"`, code: 'UNKNOWN_FIELD' });
    }
  } else if (def.type === 'array' && def.element && Array.isArray(data)) {
    data.forEach((item, i) => out.push(...findUnknownFields(def.element as z.ZodType, item, join(path, i))));
  }
  return out;
}
