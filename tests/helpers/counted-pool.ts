import type { Db } from '../../src/db/pool.js';

/** The real pool, with the queries sent through it counted (how many round trips a batching path took). */
export function countedPool(db: Db): { db: Db; queries(): number; reset(): void } {
  let queries = 0;
  const counted = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'query') return (...args: unknown[]) => ((queries += 1), (target.query as (...a: unknown[]) => unknown)(...args));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { db: counted, queries: () => queries, reset: () => void (queries = 0) };
}
