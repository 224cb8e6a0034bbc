/**
 * The simulator's admin: a PSID of its own that no real Messenger user has (the demo seed makes it an
 * admin). Never one of ADMIN_PSIDS: the simulator's page has no login, so whatever PSID it shows or
 * lets people chat as must not be a real person's.
 */
export const SIMULATOR_ADMIN_PSID = '9000000000000001';
