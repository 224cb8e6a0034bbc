import type { Db } from '../../src/db/pool.js';

/**
 * The real pool, with what goes through it counted: queries sent on the pool itself, and connections taken
 * (a transaction runs on one): how many round trips or transactions a batching path took.
 */
export function countedPool(db: Db): { db: Db; queries(): number; connections(): number; reset(): void } {
  let queries = 0;
  let connections = 0;
  const counted = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'query') return (...args: unknown[]) => ((queries += 1), (target.query as (...a: unknown[]) => unknown)(...args));
      if (prop === 'getConnection') return () => ((connections += 1), target.getConnection());
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { db: counted, queries: () => queries, connections: () => connections, reset: () => void (queries = connections = 0) };
}
