/**
 * `npm run messenger:setup`: sets the Page's Get Started button, greeting and persistent menu through
 * the Messenger Profile API (the same Send API client the bot uses). Needs FB_PAGE_ACCESS_TOKEN, or
 * GRAPH_API_URL pointing at a fake Graph API.
 */
import { loadConfig, ConfigError } from '../config.js';
import { createSendApi, GraphError } from './send-api.js';
import { messengerProfile } from './messenger-profile.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.FB_PAGE_ACCESS_TOKEN && config.GRAPH_API_URL.includes('graph.facebook.com')) {
    throw new ConfigError('FB_PAGE_ACCESS_TOKEN is not set: the Messenger Profile API needs the Page access token.');
  }
  const sendApi = createSendApi({
    graphApiUrl: config.GRAPH_API_URL,
    graphApiVersion: config.GRAPH_API_VERSION,
    pageAccessToken: config.FB_PAGE_ACCESS_TOKEN,
  });
  await sendApi.setProfile(messengerProfile(config.SHOP_NAME));
  console.log(`Messenger profile set on ${new URL(config.GRAPH_API_URL).host}: Get Started, greeting, menu Shop / Cart / My orders / Help.`);
}

main().catch((err: unknown) => {
  if (err instanceof GraphError) console.error(`Messenger setup failed: ${err.reason}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
