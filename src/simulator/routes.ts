import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Hub, NewItem } from './hub.js';
import type { UploadStore } from './uploads.js';
import { MAX_UPLOAD_BYTES } from './uploads.js';
import { buildDelivery, sendBodySchema, type UserEvent } from './webhook-sender.js';
import { demoImageSvg } from './demo-catalog.js';
import { loadSimulatorFonts, registerFontRoutes } from './fonts.js';

/**
 * The simulator's HTTP side, all under /simulator: the chat page and its assets, the SSE stream of a
 * conversation, the "person does something" endpoint that signs a real Messenger webhook payload and
 * posts it to this server's own /webhook, photo uploads, and the demo shop's pictures.
 */
export interface SessionInfo {
  shopName: string;
  adminPsid: string;
  dashboardUrl: string;
  getStarted: { title: string; payload: string };
  /** the Page's persistent menu (the shopper's pane) */
  menu: Array<{ type: 'postback' | 'web_url'; title: string; payload?: string; url?: string }>;
  /** the admin's own persistent menu, as set through the Custom User Settings API (else the Page's) */
  adminMenu: SessionInfo['menu'];
  /** the queues dashboard's password in demo mode; only ever sent to a visitor on this machine */
  demoAdminKey?: string;
}

export interface RoutesDeps {
  hub: Hub;
  /** Add an item to a conversation on every process (through the relay). */
  record(psid: string, item: NewItem): Promise<void>;
  uploads: UploadStore;
  appSecret: string;
  /** PSIDs the page may not act as or listen to (the configured, real admins) */
  reservedPsids: ReadonlySet<string>;
  logger: Logger;
  session(fromLoopback: boolean): SessionInfo;
}

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const ASSETS: Record<string, { file: string; type: string }> = {
  'app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  'render.js': { file: 'render.js', type: 'text/javascript; charset=utf-8' },
  'live.js': { file: 'live.js', type: 'text/javascript; charset=utf-8' },
  'app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};
const psidQuery = z.object({ psid: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, 'psid must be 1-64 letters, digits, _ or -') });

export function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address));
}

function describeEvent(event: UserEvent): string {
  return event.type === 'image' ? 'a photo' : event.type === 'postback' ? `"${event.title}"` : `"${event.text}"`;
}

async function deliver(app: FastifyInstance, deps: RoutesDeps, psid: string, event: UserEvent) {
  const delivery = buildDelivery(psid, event, deps.appSecret);
  await deps.record(psid, { from: 'user', event });
  const res = await app.inject({
    method: 'POST',
    url: '/webhook',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': delivery.signature },
    payload: delivery.body,
  });
  if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true as const, mid: delivery.mid, webhookStatus: res.statusCode };
  const note = `The webhook answered ${res.statusCode} to ${describeEvent(event)}: nothing was processed.`;
  await deps.record(psid, { from: 'system', text: note });
  deps.logger.warn({ status: res.statusCode, psid }, 'simulator: webhook refused a simulated event');
  return { ok: false as const, webhookStatus: res.statusCode, error: note };
}

export function simulatorRoutes(deps: RoutesDeps): FastifyPluginAsync {
  const page = readFileSync(new URL('index.html', PUBLIC_DIR), 'utf8');
  const assets = Object.fromEntries(
    Object.entries(ASSETS).map(([name, a]) => [name, { type: a.type, body: readFileSync(new URL(a.file, PUBLIC_DIR), 'utf8') }]),
  );
  const fonts = loadSimulatorFonts();

  return async (app) => {
    // Photos arrive as raw image bytes; only inside this plugin (encapsulated), never for other routes.
    app.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES + 1 }, (_req, body, done) => done(null, body));
    app.addHook('preClose', async () => deps.hub.closeAll());

    const sendPage = async (_req: unknown, reply: FastifyReply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
    app.get('/simulator', sendPage);
    app.get('/simulator/', sendPage);

    app.get<{ Params: { name: string } }>('/simulator/assets/:name', async (req, reply) => {
      const asset = assets[req.params.name];
      if (!asset) return reply.code(404).send({ error: `no simulator asset named ${req.params.name}` });
      return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
    });

    registerFontRoutes(app, fonts);

    // the socket's address, not req.ip: a forwarded-for header must not make a remote visitor local
    app.get('/simulator/session', async (req) => deps.session(isLoopback(req.socket.remoteAddress)));

    const reserved = (psid: string, reply: FastifyReply) =>
      deps.reservedPsids.has(psid) ? reply.code(403).send({ error: 'that PSID is a configured admin: the simulator chats only as its own people' }) : null;

    app.get('/simulator/events', async (req, reply) => {
      const q = psidQuery.safeParse(req.query);
      if (!q.success) return reply.code(400).send({ error: q.error.issues.map((i) => i.message).join('; ') });
      if (reserved(q.data.psid, reply)) return reply;
      reply.hijack();
      deps.hub.attach(q.data.psid, reply.raw);
    });

    app.post('/simulator/send', async (req, reply) => {
      const parsed = sendBodySchema.safeParse(req.body);
      if (!parsed.success) {
        const details = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
        return reply.code(400).send({ error: `invalid simulated event: ${details.join('; ')}` });
      }
      if (reserved(parsed.data.psid, reply)) return reply;
      const result = await deliver(app, deps, parsed.data.psid, parsed.data.event);
      return reply.code(result.ok ? 200 : 502).send(result);
    });

    app.post('/simulator/upload', async (req, reply) => {
      if (!Buffer.isBuffer(req.body)) return reply.code(415).send({ error: 'send the photo as the request body with an image/* content type' });
      const saved = await deps.uploads.save(req.body);
      if (!saved.ok) return reply.code(saved.status).send({ error: saved.error });
      return reply.code(201).send({ url: `${req.protocol}://${req.host}/simulator/uploads/${saved.name}` });
    });

    app.get<{ Params: { name: string } }>('/simulator/uploads/:name', async (req, reply) => {
      const file = await deps.uploads.load(req.params.name);
      if (!file) return reply.code(404).send({ error: 'no such upload' });
      return reply.type(file.type).header('cache-control', 'public, max-age=86400').send(file.bytes);
    });

    app.get<{ Params: { name: string } }>('/simulator/images/:name', async (req, reply) => {
      const svg = demoImageSvg(req.params.name.replace(/\.svg$/, ''));
      if (!svg) return reply.code(404).send({ error: 'no such demo image' });
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(svg);
    });
  };
}
