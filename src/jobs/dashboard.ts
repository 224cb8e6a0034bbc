import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { AdminService } from '../admins/admin-service.js';
import type { FailedLoginLimiter } from './failed-login-limiter.js';

/**
 * The BullMQ dashboard (bull-board) at /admin/queues, behind HTTP basic auth: any user name, an admin
 * API key as the password (admins.verifyKey). Failed jobs are listed and can be retried from it. Wrong
 * keys are counted per client IP (failed-login-limiter.ts): 429 after 10 within 15 minutes.
 */
export const DASHBOARD_PATH = '/admin/queues';
const REALM = 'Basic realm="QuickSell queues", charset="UTF-8"';

/** The password of a Basic Authorization header, or null. */
export function basicPassword(header: string | undefined): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const password = decoded.slice(colon + 1);
  return password.length > 0 && password.length <= 512 ? password : null;
}

export function createDashboardPlugin(queues: Queue[], admins: AdminService, logins: FailedLoginLimiter): FastifyPluginAsync {
  async function requireAdmin(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const gate = await logins.check(req.ip);
    if (!gate.ok) {
      const error = gate.status === 429 ? 'too many failed logins from this address; try again later' : 'logins are unavailable for a moment';
      await reply.code(gate.status).header('retry-after', String(gate.retryAfterSeconds)).send({ success: false, error });
      return;
    }
    const key = basicPassword(req.headers.authorization);
    const admin = key ? await admins.verifyKey(key) : null;
    if (key && !admin) await logins.fail(req.ip);
    if (!admin) {
      await reply
        .code(401)
        .header('www-authenticate', REALM)
        .send({ success: false, error: 'an admin API key is required (HTTP basic auth, key as the password)' });
      return;
    }
    req.log.debug({ admin: admin.name }, 'queue dashboard access');
  }

  const dashboard: FastifyPluginAsync = async (app) => {
    app.addHook('onRequest', requireAdmin);
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(DASHBOARD_PATH);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q)),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'QuickSell queues' } },
    });
    await app.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  };

  // The hook lives in its own encapsulated scope so that it guards the dashboard only, however the
  // HTTP server registers this plugin.
  return async (parent) => {
    await parent.register(dashboard);
  };
}
