import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchPool, type Db } from '../../../src/db/pool.js';
import { createReadGroup } from '../../../src/orders/group-reads.js';
import { testConfig } from '../../helpers/test-config.js';
import { countedPool } from '../../helpers/counted-pool.js';

/**
 * The checks' reads of concurrent orders go to the server as one query (src/orders/group-reads.ts).
 * Each order must get its own rows, and a read that fails must fail only its own order.
 */
let batchDb: Db;
let counted: ReturnType<typeof countedPool>;

beforeAll(() => {
  const config = testConfig();
  batchDb = createBatchPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 4 });
  counted = countedPool(batchDb);
});
afterAll(async () => batchDb.end());

describe('coalesced reads (group-reads.ts)', () => {
  it('sends the reads of orders that arrive together in one query, each order getting its own rows', async () => {
    const group = createReadGroup(counted.db);
    await group.run([['SELECT 1 AS v', []]]); // the first goes alone; the next ones gather behind it
    counted.reset();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => group.run([['SELECT ? AS v', [i]], ['SELECT ? AS w, ? AS x', [i * 10, `o${i}`]]])),
    );
    results.forEach((sets, i) => {
      expect(sets).toHaveLength(2);
      expect(Number(sets[0]![0]!.v)).toBe(i);
      expect(Number(sets[1]![0]!.w)).toBe(i * 10);
      expect(sets[1]![0]!.x).toBe(`o${i}`);
    });
    expect(counted.queries()).toBeLessThan(12);
  });

  it('fails only the order whose read failed; its neighbours get their rows', async () => {
    const group = createReadGroup(batchDb);
    const outcomes = await Promise.allSettled([
      group.run([['SELECT 1 AS v', []]]),
      group.run([['SELECT 2 AS v', []]]),
      group.run([['SELECT v FROM no_such_table_for_group_reads', []]]),
      group.run([['SELECT 4 AS v', []]]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const values = outcomes.map((o) => (o.status === 'fulfilled' ? Number(o.value[0]![0]!.v) : (o.reason as { errno?: number }).errno));
    expect(values).toEqual([1, 2, 1146, 4]);
  });
});
