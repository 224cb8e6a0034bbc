import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { AdminService } from '../admins/admin-service.js';
import type { Simulator } from './index.js';
import { seedDemoShop, type SeedReport } from './demo-seed.js';
import { SIMULATOR_ADMIN_PSID } from './identities.js';

/**
 * What start-up does about the demo. In simulator mode (no Page token) it seeds the demo shop (DEMO_SEED)
 * and, in the process that serves the simulator page, issues a fresh demo admin key that the banner and
 * the page show, so "Queues dashboard" works without the terminal. Otherwise (a Page token, or the
 * simulator off) there is no demo key: one left by an earlier demo run is revoked.
 */
export interface DemoSetup {
  seeded: SeedReport | null;
  demoAdminKey: string | null;
}

export interface DemoDeps {
  config: Config;
  db: Db;
  admins: AdminService;
  simulator: Simulator | null;
  /** whether this process serves HTTP (the page); a worker process issues no key */
  servesPages: boolean;
}

export async function prepareDemo(deps: DemoDeps): Promise<DemoSetup> {
  const { config, simulator } = deps;
  if (!config.simulatorEnabled || !simulator) {
    await deps.admins.revokeDemoKeys();
    return { seeded: null, demoAdminKey: null };
  }
  const seeded = config.DEMO_SEED ? await seedDemoShop(deps.db, config) : null;
  if (!deps.servesPages) return { seeded, demoAdminKey: null };
  const demoAdminKey = await deps.admins.issueDemoKey(SIMULATOR_ADMIN_PSID);
  simulator.showDemoAdminKey(demoAdminKey);
  return { seeded, demoAdminKey };
}
