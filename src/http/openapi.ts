import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { z } from 'zod';

/**
 * OpenAPI 3 from the zod schemas the routes validate with: /docs/json (the document) and /docs (a
 * browsable UI), both public. Routes under /api are marked as needing the admin key (bearer). Must be
 * registered before the routes (it collects them as they are added).
 */
const toJson = (schema: unknown, io: 'input' | 'output') =>
  schema instanceof z.ZodType ? z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) : schema;

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'QuickSell API', version, description: 'Orders, products and reports of a QuickSell shop. Money is in pesos.' },
      components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer', description: 'an admin API key (npm run admin -- add --name NAME)' } } },
    },
    transform: ({ schema, url }) => {
      const s = (schema ?? {}) as Record<string, unknown>;
      const documented = url.startsWith('/api/') || url.startsWith('/media/');
      const out: Record<string, unknown> = { hide: !documented };
      for (const part of ['body', 'querystring', 'params', 'headers'] as const) if (s[part]) out[part] = toJson(s[part], 'input');
      if (s.response) out.response = Object.fromEntries(Object.entries(s.response as object).map(([code, r]) => [code, toJson(r, 'output')]));
      if (url.startsWith('/api/')) out.security = [{ adminKey: [] }];
      return { schema: out as never, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
