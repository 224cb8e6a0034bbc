/**
 * `npm run messenger:setup`: sets the Page's Get Started button, greeting and persistent menu through
 * the Messenger Profile API, then every admin's own menu (📋 Pending orders · ➕ Add product · 📦 Stock ·
 * 🧾 Today) through the Custom User Settings API. Needs FB_PAGE_ACCESS_TOKEN, or GRAPH_API_URL pointing at
 * a fake Graph API.
 */
import { loadConfig, ConfigError, type Config } from '../config.js';
import { createPool } from '../db/pool.js';
import { createAdminService } from '../admins/admin-service.js';
import { createSendApi, GraphError, type SendApi } from './send-api.js';
import { adminPersistentMenu, messengerProfile } from './messenger-profile.js';

export function setupSendApi(config: Config): SendApi {
  if (!config.FB_PAGE_ACCESS_TOKEN && config.GRAPH_API_URL.includes('graph.facebook.com')) {
    throw new ConfigError('FB_PAGE_ACCESS_TOKEN is not set: the Messenger Profile API needs the Page access token.');
  }
  return createSendApi({ graphApiUrl: config.GRAPH_API_URL, graphApiVersion: config.GRAPH_API_VERSION, pageAccessToken: config.FB_PAGE_ACCESS_TOKEN });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const sendApi = setupSendApi(config);
  await sendApi.setProfile(messengerProfile(config.SHOP_NAME));
  console.log(`Messenger profile set on ${new URL(config.GRAPH_API_URL).host}: Get Started, greeting, menu Shop / Cart / My orders / Help.`);
  const db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 1 });
  try {
    const psids = await createAdminService(db, config).listPsids();
    for (const psid of psids) await sendApi.setUserSettings(adminPersistentMenu(psid));
    console.log(`Admin menu (Pending orders / Add product / Stock / Today) set for ${psids.length} admin${psids.length === 1 ? '' : 's'}.`);
  } finally {
    await db.end();
  }
}

if (process.argv[1]?.endsWith('messenger-setup.ts')) {
  main().catch((err: unknown) => {
    if (err instanceof GraphError) console.error(`Messenger setup failed: ${err.reason}`);
    else console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
