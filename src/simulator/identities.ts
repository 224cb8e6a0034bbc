/**
 * The simulator's admin: a PSID of its own that no real Messenger user has (the demo seed makes it an
 * admin). Never one of ADMIN_PSIDS: the simulator's page has no login, so whatever PSID it shows or
 * lets people chat as must not be a real person's.
 */
export const SIMULATOR_ADMIN_PSID = '9000000000000001';

/**
 * The people the Live pane comments as: a Facebook user id (what the feed webhook's `from.id` carries)
 * and the PSID their Messenger thread with the Page has (what Graph answers a Private Reply with).
 * Made-up numbers no real person has, like the admin's.
 */
export interface SimulatedCommenter {
  fbId: string;
  psid: string;
  name: string;
}

export const SIMULATED_COMMENTERS: readonly SimulatedCommenter[] = [
  { fbId: '5100000000000011', psid: '9000000000000011', name: 'Ana Reyes' },
  { fbId: '5100000000000012', psid: '9000000000000012', name: 'Ben Cruz' },
  { fbId: '5100000000000013', psid: '9000000000000013', name: 'Carla Santos' },
  { fbId: '5100000000000014', psid: '9000000000000014', name: 'Dan Lim' },
];
