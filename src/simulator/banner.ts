import type { Config } from '../config.js';
import { isLoopback } from '../config.js';

/**
 * What `npm start` prints about the simulator: where its page is, the demo admin key that opens the queues
 * dashboard (docs/architecture.md, "Demo mode"), and a warning when it listens beyond
 * this machine (SIMULATOR_PUBLIC=true), because the page has no login. Nothing when it is off (a Page
 * token is configured, or SIMULATOR=off).
 */
export function simulatorBanner(
  config: Pick<Config, 'simulatorEnabled' | 'HOST' | 'publicUrl'>,
  demoAdminKey: string | null = null,
): { info: string | null; warning: string | null } {
  if (!config.simulatorEnabled) return { info: null, warning: null };
  const dashboard = demoAdminKey ? `\n  Queues dashboard: ${config.publicUrl}/admin/queues (any user name, password: ${demoAdminKey})` : '';
  const info = `No Page token configured: open the Messenger simulator at ${config.publicUrl}/simulator${dashboard}`;
  const warning = isLoopback(config.HOST)
    ? null
    : `WARNING: the simulator listens on ${config.HOST} (SIMULATOR_PUBLIC=true) and its page has no login: ` +
      'anyone who can reach it can chat as any customer and as the shop admin. Use it only on a trusted network.';
  return { info, warning };
}
