import type { Config } from '../config.js';

/** The simulator's admin: the first of ADMIN_PSIDS if any, else a fixed PSID the demo seed makes an admin. */
export const SIMULATOR_ADMIN_PSID = '9000000000000001';

export function simulatorAdminPsid(config: Pick<Config, 'ADMIN_PSIDS'>): string {
  return config.ADMIN_PSIDS[0] ?? SIMULATOR_ADMIN_PSID;
}
