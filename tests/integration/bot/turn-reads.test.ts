import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchPool, createPool, type Db } from '../../../src/db/pool.js';
import { coalescedReads } from '../../../src/db/read-rows.js';
import { createReadGroup } from '../../../src/orders/group-reads.js';
import { createCartService } from '../../../src/orders/cart-service.js';
import { createAdminService } from '../../../src/admins/admin-service.js';
import { testConfig } from '../../helpers/test-config.js';
import { makeUser } from '../../helpers/factories.js';
import { countedPool } from '../../helpers/counted-pool.js';

/**
 * The reads every chat turn starts with (ensureCustomer, findByPsid; app.ts wires them and the live-sale
 * check through db/read-rows.ts) go to the server together for turns that start together: one query for
 * many turns, and each turn still gets its own customer and its own answer to "is this an admin".
 */
let db: Db;
let batchDb: Db;

beforeAll(() => {
  const config = testConfig();
  db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 4 });
  batchDb = createBatchPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 4 });
});
afterAll(async () => {
  await db.end();
  await batchDb.end();
});

describe('the turn-start reads, coalesced (db/read-rows.ts)', () => {
  it('answers each of many concurrent turns with its own customer and admin facts, in fewer queries than turns', async () => {
    const config = testConfig();
    const counting = countedPool(batchDb);
    const read = coalescedReads(createReadGroup(counting.db));
    const carts = createCartService(db, { maxItemQuantity: 10, read });
    const admins = createAdminService(db, config, read);
    const run = randomUUID().slice(0, 8);
    const known = await Promise.all(Array.from({ length: 6 }, (_, i) => makeUser(db, { name: `Known ${i}`, psid: `tr-${run}-known-${i}` })));
    await admins.create(`Admin ${run}`, `tr-${run}-known-0`);
    await carts.ensureCustomer(`tr-${run}-warm`); // the first read goes alone; the next ones gather behind it
    counting.reset();

    const psids = [...known.map((_, i) => `tr-${run}-known-${i}`), ...Array.from({ length: 6 }, (_, i) => `tr-${run}-new-${i}`)];
    const facts = await Promise.all(psids.map(async (psid) => Promise.all([carts.ensureCustomer(psid), admins.findByPsid(psid)])));

    facts.forEach(([customer, admin], i) => {
      if (i < known.length) {
        expect(customer).toMatchObject({ id: known[i], name: `Known ${i}` });
      } else {
        expect(customer.id).toBeGreaterThan(0);
        expect(known).not.toContain(customer.id);
      }
      expect(admin ? admin.name : null).toBe(i === 0 ? `Admin ${run}` : null);
    });
    // new users got a row each, one per PSID
    const newIds = facts.slice(known.length).map(([c]) => c.id);
    expect(new Set(newIds).size).toBe(newIds.length);
    // 24 reads of 12 turns: batched, not one query each
    expect(counting.queries()).toBeLessThan(12);
  });
});
