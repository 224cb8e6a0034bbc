import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { createAdminService } from '../admins/admin-service.js';
import type { Config } from '../config.js';
import { GraphError } from '../bot/send-api.js';
import { setupSendApi } from '../bot/messenger-setup.js';
import { adminPersistentMenu } from '../bot/messenger-profile.js';

/** The new admin's own Messenger menu; the admin exists either way, so a failure only says how to retry. */
async function installAdminMenu(config: Config, psid: string): Promise<void> {
  try {
    await setupSendApi(config).setUserSettings(adminPersistentMenu(psid));
    console.log('Admin menu (Pending orders / Add product / Stock / Today) set in their Messenger.');
  } catch (err) {
    const why = err instanceof GraphError ? err.reason : (err as Error).message;
    console.warn(`Admin menu not set (${why}); run npm run messenger:setup once Messenger is configured.`);
  }
}

/**
 * npm run admin -- add --name NAME [--psid PSID]   creates an admin and prints its API key once
 * npm run admin -- list                            lists admins (never keys: only their first characters)
 * npm run admin -- revoke ID                       revokes an admin's key (refused everywhere within API_KEY_CACHE_MS)
 */
const USAGE = `usage:
  npm run admin -- add --name NAME [--psid PSID]
  npm run admin -- list
  npm run admin -- revoke ID`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, psid: { type: 'string' } },
  });
  const [command, arg] = positionals;
  if (!command || !['add', 'list', 'revoke'].includes(command)) fail(command ? `unknown command "${command}"` : 'no command given');

  const config = loadConfig();
  await migrate(config.DATABASE_URL);
  const db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 1 });
  const admins = createAdminService(db, config);
  try {
    if (command === 'add') {
      const name = values.name?.trim();
      if (!name || name.length > 100) fail('--name is required (1-100 characters)');
      const psid = values.psid?.trim() || null;
      if (psid && !/^\d{1,64}$/.test(psid)) fail('--psid must be the numeric Messenger page-scoped id');
      const { id, key } = await admins.create(name, psid).catch((err: { errno?: number }) => {
        if (err.errno === 1062) fail(`PSID ${psid} already belongs to another admin`);
        throw err;
      });
      console.log(`admin #${id} "${name}" created${psid ? ` (Messenger PSID ${psid})` : ''}.`);
      console.log(`API key (shown once, store it now): ${key}`);
      if (psid) await installAdminMenu(config, psid);
    } else if (command === 'list') {
      const rows = await admins.list();
      if (rows.length === 0) console.log('no admins yet (npm run admin -- add --name NAME)');
      for (const a of rows) {
        const state = a.revoked ? 'revoked' : 'active';
        console.log(`#${a.id}\t${a.name}\t${a.key_prefix}…\t${a.psid ?? '-'}\t${state}\tcreated ${a.created_at.toISOString()}`);
      }
    } else {
      if (!arg || !/^[1-9]\d*$/.test(arg)) fail('revoke needs the admin id (see npm run admin -- list)');
      const done = await admins.revoke(Number(arg));
      if (!done) fail(`no active admin #${arg}`);
      console.log(`admin #${arg} revoked: its key is refused by every server within API_KEY_CACHE_MS (1 s by default).`);
    }
  } finally {
    await db.end();
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exit(1);
});
