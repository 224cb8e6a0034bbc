import type { FastifyInstance } from 'fastify';
import type { LiveSales } from '../orders/live/live-sales.js';
import { actorOf } from './auth.js';
import { sendEngineFailure } from './errors.js';
import { idParams } from './schemas.js';
import type { ZodTypeProvider } from './validation.js';

/**
 * /api/live-sales: set up a live sale (post id + item codes), stop it, and read its tally. The body is
 * validated by the live-sale service itself (one schema for the API and the admin's chat command).
 */
const saleNotFound = { success: false, error: 'Live sale not found', code: 'SALE_NOT_FOUND' } as const;

export function liveSaleRoutes(live: LiveSales) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.post('/api/live-sales', async (request, reply) => {
      const result = await live.createSale(request.body ?? {}, actorOf(request.admin));
      return result.success ? reply.code(201).send(result) : sendEngineFailure(reply, result, 'body');
    });

    app.post('/api/live-sales/:id/stop', { schema: { params: idParams } }, async (request, reply) => {
      const result = await live.stopSale(request.params.id, actorOf(request.admin));
      return result.success ? { success: true, id: request.params.id, status: 'stopped', summary: result.summary } : sendEngineFailure(reply, result);
    });

    app.get('/api/live-sales/:id', { schema: { params: idParams } }, async (request, reply) => {
      const sale = await live.getSale(request.params.id);
      return sale ? { success: true, ...sale } : reply.code(404).send(saleNotFound);
    });
  };
}
