import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { RowDataPacket } from 'mysql2';
import { createBatchPool, createPool, type Db } from '../../../src/db/pool.js';
import { countedPool } from '../../helpers/counted-pool.js';
import { createReplyLedger } from '../../../src/bot/reply-ledger.js';
import { createTurnSends, type TurnSends } from '../../../src/bot/send-once.js';
import type { TurnRun } from '../../../src/bot/turn-lease.js';
import { GraphError, type SendApi, type SendRequest } from '../../../src/bot/send-api.js';

/**
 * The reply ledger on the real MariaDB, with a recording Send API: what reaches "Graph" when a turn's
 * dialog replies are sent by a first run and a re-run of the same inbound event whose path changed.
 */
let db: Db;
let sends: TurnSends;
const arrived: string[] = [];
let failNext: GraphError | null = null;
const sendApi = {
  async send(req: SendRequest) {
    if (failNext) {
      const err = failNext;
      failNext = null;
      throw err;
    }
    arrived.push(req.message?.text ?? '');
    return { recipient_id: 'x', message_id: `m${arrived.length}` };
  },
} as unknown as SendApi;

beforeAll(() => {
  db = createPool({ url: inject('databaseUrl'), timeZone: 'UTC', connectionLimit: 2 });
  // another run's claim counts as "maybe delivered" at once: the runs below are sequential
  sends = createTurnSends(sendApi, createReplyLedger(db, { inDoubtAfterMs: 0 }));
});
afterAll(() => db.end());

/** One run of a turn: its replies in order, numbered like the adapter numbers them. */
async function run(inbound: string, texts: string[]): Promise<void> {
  const r: TurnRun = { inboundId: inbound, owner: randomUUID() };
  const said = new Map<string, number>();
  for (const [part, text] of texts.entries()) {
    const repeat = said.get(text) ?? 0;
    said.set(text, repeat + 1);
    await sends.reply(r, part, repeat, { recipient: { id: 'psid' }, message: { text } });
  }
}

describe('a turn run again for the same inbound event', () => {
  it('sends nothing at a place the first run sent, even when the text there changed', async () => {
    const inbound = `m:${randomUUID()}`;
    arrived.length = 0;
    await run(inbound, ['Please check your order']);
    await run(inbound, ["Sorry, we don't have enough stock"]);
    expect(arrived).toEqual(['Please check your order']);
  });

  it('does not send a reply again at another place when its path gained a message, and sends what is new', async () => {
    const inbound = `m:${randomUUID()}`;
    arrived.length = 0;
    await run(inbound, ['A', 'B']);
    await run(inbound, ['X', 'A', 'B', 'C']);
    expect(arrived).toEqual(['A', 'B', 'C']);
  });

  it('sends the same message twice when one run says it twice', async () => {
    const inbound = `m:${randomUUID()}`;
    arrived.length = 0;
    await run(inbound, ['Try again', 'Try again']);
    await run(inbound, ['Try again', 'Try again']);
    expect(arrived).toEqual(['Try again', 'Try again']);
  });

  it('sends a reply Graph refused ("try again") when the turn runs again', async () => {
    const inbound = `m:${randomUUID()}`;
    arrived.length = 0;
    failNext = new GraphError('An unexpected error has occurred.', 500, 2, null);
    await expect(run(inbound, ['Hello'])).rejects.toThrow(GraphError);
    await run(inbound, ['Hello']);
    expect(arrived).toEqual(['Hello']);
  });

  it('never sends again a reply whose answer was lost (delivery unknown)', async () => {
    const inbound = `m:${randomUUID()}`;
    arrived.length = 0;
    failNext = new GraphError('network error: timeout', 0, null, null);
    await run(inbound, ['Hello']);
    await run(inbound, ['Hello']);
    expect(arrived).toEqual([]);
  });
});

describe('claims of turns running at once (the multi-statement pool)', () => {
  it('go in one transaction for all of them, each claim answered as if alone', async () => {
    const batchDb = createBatchPool({ url: inject('databaseUrl'), timeZone: 'UTC', connectionLimit: 2 });
    try {
      const counted = countedPool(batchDb);
      const ledger = createReplyLedger(db, { inDoubtAfterMs: 0, batchDb: counted.db });
      const [a, b] = [randomUUID(), randomUUID()];
      const keys = Array.from({ length: 10 }, (_, i) => ledger.key(`m:${randomUUID()}`, i, `reply ${i}`));
      // 10 turns' first claims, and the same keys claimed again at once by another run (a re-run racing the first)
      const outcomes = await Promise.all([...keys.map((k) => ledger.claim(k, a)), ...keys.map((k) => ledger.claim(k, b))]);
      expect(outcomes.slice(0, 10)).toEqual(Array(10).fill('send'));
      expect(outcomes.slice(10)).toEqual(Array(10).fill('skip'));
      expect(counted.connections() + counted.queries()).toBe(1); // one transaction for the 20 claims
      // committed: the claims are in the table, owned by the first run
      const [rows] = await db.query<RowDataPacket[]>('SELECT owner FROM chat_replies WHERE reply_key IN (?)', [keys]);
      expect(rows.map((r) => r.owner)).toEqual(Array(10).fill(a));
      // a claim released is claimed again, in a batch of its own
      await ledger.release(keys[0]!, a);
      await expect(ledger.claim(keys[0]!, b)).resolves.toBe('send');
    } finally {
      await batchDb.end();
    }
  });
});
