import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

/**
 * A Redis key prefix of its own for one test app (isolation by naming): a {hash tag} that names this test
 * run, so the run's global teardown deletes every key its tests left (BullMQ's queues keep their jobs, the
 * bot its states), as it drops the run's database. `kind` only helps reading keys while a run is on.
 */
export function testPrefix(kind = 'test'): string {
  return `{${inject('redisPrefix')}${kind}-${randomUUID().slice(0, 8)}}`;
}
