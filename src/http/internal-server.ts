import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';

/**
 * The operators' listener, apart from the public server: METRICS_HOST:METRICS_PORT (loopback by default),
 * started by every role, web and worker. It serves what a scraper or a probe needs and nothing a
 * customer does; other features add their routes through `plugins` (e.g. a worker's health check).
 */
export async function buildInternalServer(opts: { logger: Logger; plugins: FastifyPluginAsync[] }): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: opts.logger.child({ listener: 'internal' }) }) as unknown as FastifyInstance;
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));
  // no two request lines per scrape or probe: only their warnings and errors
  for (const p of opts.plugins) await app.register(p, { logLevel: 'warn' });
  return app;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /metrics, Prometheus text format. With a token (METRICS_TOKEN) the scraper must send
 * `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: … }` in the scrape config).
 */
export function metricsRoute(metrics: Metrics, token?: string): FastifyPluginAsync {
  const expected = token ? digest(`Bearer ${token}`) : null;
  return async (app) => {
    app.get('/metrics', async (request, reply) => {
      // compared as hashes: equal lengths, constant time
      if (expected && !timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer realm="quicksell-metrics"').send({ error: 'a metrics token is required' });
      }
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    });
  };
}
