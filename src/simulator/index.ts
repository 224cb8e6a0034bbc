import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { startFakeGraph, type FakeGraph, type RecordedMessage } from './fake-graph.js';
import { createHub, type Hub } from './hub.js';
import { createRelay } from './relay.js';
import { redisLiveVideos } from './live-video-store.js';
import { createUploadStore } from './uploads.js';
import { simulatorRoutes, type SessionInfo } from './routes.js';
import { SIMULATOR_ADMIN_PSID } from './identities.js';
import { liveSimulatorRoutes, type LiveShopView } from './live-routes.js';
import { createSendApi } from '../bot/send-api.js';
import { adminPersistentMenu, messengerProfile } from '../bot/messenger-profile.js';
import type { OrderService } from '../orders/index.js';
import type { LiveSales } from '../orders/live/live-sales.js';

/**
 * The local Messenger simulator, used when no Page token is configured: a built-in fake Graph API
 * (the Send API client points at it) whose messages are pushed to a chat page at /simulator, which
 * in turn sends real signed webhook payloads to /webhook. app.ts creates it only in simulator mode,
 * so with a real Page token none of these routes exist. Messages reach the page through Redis
 * pub/sub (relay.ts), so a separate ROLE=worker process's sends show up too.
 */
export interface Simulator {
  /** Where the Send API client should point: the built-in fake Graph API. */
  graphApiUrl: string;
  /** Fastify plugin serving /simulator (page, SSE, outgoing webhook posts). */
  plugin: FastifyPluginAsync;
  /** The PSID the admin pane chats as. */
  adminPsid: string;
  fakeGraph: FakeGraph;
  hub: Hub;
  /** The demo admin key the page shows (to loopback visitors only) as the queues dashboard's password. */
  showDemoAdminKey(key: string): void;
  /** The catalog and the live sales, for the Live pane (built after the simulator by the composition root). */
  connectShop(view: LiveShopView): void;
  close(): Promise<void>;
}

export { SIMULATOR_ADMIN_PSID } from './identities.js';
export { SIMULATOR_PAGE_ID, buildDelivery, signBody } from './webhook-sender.js';
export { seedDemoShop } from './demo-seed.js';

/** What the Live pane shows of the shop: products to put on codes, and the tally of the sale on a post. */
export function liveShopView(orders: Pick<OrderService, 'listProducts'>, live: Pick<LiveSales, 'findLiveSale'>): LiveShopView {
  return {
    async products() {
      const page = await orders.listProducts({ status: 'active', limit: 100 });
      return page.products.map((p) => ({ id: p.id, name: p.name, price: p.price, available: p.available_quantity }));
    },
    saleOn: (postId) => live.findLiveSale(postId),
  };
}

const DEFAULT_GET_STARTED = { title: 'Get Started', payload: 'GET_STARTED' };

type PersistentMenu = Array<{ locale?: string; call_to_actions?: SessionInfo['menu'] }> | undefined;

/** The buttons of a persistent menu (its default locale) that the page can show, or null when none is given. */
function menuButtons(pm: PersistentMenu): SessionInfo['menu'] | null {
  const chosen = pm?.find((m) => m.locale === 'default') ?? pm?.[0];
  return chosen?.call_to_actions ? chosen.call_to_actions.filter((a) => a.type === 'postback' || a.type === 'web_url') : null;
}

/**
 * Get Started and the menus, as the bot last set them: the Page's persistent menu (Messenger Profile API),
 * and one person's own menu (Custom User Settings API) for the admin pane. Like Messenger, a person without
 * a menu of their own sees the Page's.
 */
function profileSession(fakeGraph: FakeGraph, adminPsid: string): Pick<SessionInfo, 'getStarted' | 'menu' | 'adminMenu'> {
  let getStarted = DEFAULT_GET_STARTED;
  let menu: SessionInfo['menu'] = [];
  for (const p of fakeGraph.profiles) {
    const gs = p.get_started as { payload?: unknown } | undefined;
    if (typeof gs?.payload === 'string') getStarted = { title: 'Get Started', payload: gs.payload };
    menu = menuButtons(p.persistent_menu as PersistentMenu) ?? menu;
  }
  let adminMenu = menu;
  for (const u of fakeGraph.userSettings) {
    if (u.psid === adminPsid) adminMenu = menuButtons(u.persistent_menu as PersistentMenu) ?? adminMenu;
  }
  return { getStarted, menu, adminMenu };
}

export async function createSimulator(deps: { config: Config; logger: Logger }): Promise<Simulator> {
  const { config, logger } = deps;
  if (!config.FB_APP_SECRET) throw new Error('simulator: FB_APP_SECRET is not set (loadConfig supplies one in simulator mode)');
  const hub = createHub();
  let demoAdminKey: string | null = null;

  // Every process publishes chat items; every process's hub (the web ones serve pages) listens.
  const relay = await createRelay({
    redisUrl: config.REDIS_URL,
    channel: `${config.QUEUE_PREFIX}:simulator:chat`,
    logger,
    onMessage: (m) => void hub.record(m.psid, m.item),
  });
  // What a comment handled in another process needs from this one's Live pane is kept in Redis: who wrote it
  // (its Private Reply answers with that PSID) and the live video it is on (GET /me/live_videos).
  const fakeGraph = await startFakeGraph({
    keep: 1000,
    commenterOf: (id) => relay.commenterOf(id),
    lives: redisLiveVideos({ redis: relay.redis, key: `${config.QUEUE_PREFIX}:simulator:live-videos` }),
  }).catch(async (err: unknown) => {
    await relay.close();
    throw err;
  });
  const adminPsid = SIMULATOR_ADMIN_PSID;
  // What `npm run messenger:setup` does for a real Page, done against the fake Graph API: the page
  // then shows the bot's own Get Started button and persistent menu, and the admin pane the admins' own menu.
  const setup = createSendApi({ graphApiUrl: fakeGraph.url, graphApiVersion: config.GRAPH_API_VERSION, pageAccessToken: undefined });
  await setup.setProfile(messengerProfile(config.SHOP_NAME));
  await setup.setUserSettings(adminPersistentMenu(adminPsid));
  const onMessage = (rec: RecordedMessage) =>
    void relay.publish({ psid: rec.psid, item: { from: 'page', request: rec.body, message_id: rec.message_id } });
  fakeGraph.events.on('message', onMessage);
  let shop: LiveShopView | null = null;

  const chatPlugin = simulatorRoutes({
    hub,
    record: (psid, item) => relay.publish({ psid, item }),
    uploads: createUploadStore(),
    appSecret: config.FB_APP_SECRET,
    // real admins' PSIDs: nobody on the page (it has no login) may chat as them or read their chat
    reservedPsids: new Set(config.ADMIN_PSIDS),
    logger,
    session: (fromLoopback) => ({
      shopName: config.SHOP_NAME,
      adminPsid,
      dashboardUrl: '/admin/queues',
      ...profileSession(fakeGraph, adminPsid),
      ...(fromLoopback && demoAdminKey ? { demoAdminKey } : {}),
    }),
  });
  const livePlugin = liveSimulatorRoutes({
    appSecret: config.FB_APP_SECRET,
    fakeGraph,
    rememberCommenter: (commentId, psid) => relay.rememberCommenter(commentId, psid),
    shop: () => shop,
    logger,
  });
  const plugin: FastifyPluginAsync = async (app) => {
    await chatPlugin(app, {});
    await livePlugin(app, {});
  };
  logger.debug({ graphApiUrl: fakeGraph.url }, 'simulator: fake Graph API listening');

  return {
    graphApiUrl: fakeGraph.url,
    plugin,
    adminPsid,
    fakeGraph,
    hub,
    showDemoAdminKey(key) {
      demoAdminKey = key;
    },
    connectShop(view) {
      shop = view;
    },
    async close() {
      fakeGraph.events.off('message', onMessage);
      hub.closeAll();
      await fakeGraph.close();
      await relay.close();
    },
  };
}
