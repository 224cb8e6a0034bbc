import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTurnRunner, type TurnRunner, type TurnRunnerOptions } from '../../../src/bot/turn-runner.js';
import { isTurnOutage } from '../../../src/bot/safe.js';
import type { InboundEvent } from '../../../src/bot/events.js';
import { eventually } from '../jobs/jobs-harness.js';
import { testPrefix } from '../../helpers/test-prefix.js';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

/** The turn runner alone, on the real Redis, with turns the test scripts (outage, bug, slow). */
const logger = pino({ level: 'silent' });
let redis: Redis;
const runners: TurnRunner[] = [];
const prefixes: string[] = [];
beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()));
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}:*`); // a test prefix of this file only
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
});

const outage = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
let n = 0;
const event = (psid: string, text: string): InboundEvent => ({
  kind: 'text', psid, pageId: 'PAGE', timestamp: Date.now(), dedupeKey: `m:${randomUUID()}`, text, payload: null, attachments: [],
});

function runner(prefix: string, runTurn: (ev: InboundEvent) => Promise<void>, extra: Partial<TurnRunnerOptions> = {}) {
  const told: string[] = [];
  const r = createTurnRunner({
    redis, prefix, logger, runTurn, isRetryable: isTurnOutage,
    onDeadLetter: async (ev) => void told.push(ev.text),
    lockMs: 600, sweepMs: 100, retryBackoffMs: 20, outageDeadlineMs: 60_000, ...extra,
  });
  runners.push(r);
  return { r, told };
}
const newPrefix = () => {
  const p = testPrefix('tr');
  prefixes.push(p);
  return p;
};

describe('a turn that fails on an outage', () => {
  it('stays at the head of the inbox and is retried; the user’s later events wait and keep their order', async () => {
    const ran: string[] = [];
    let failuresLeft = 3;
    const { r } = runner(newPrefix(), async (ev) => {
      if (ev.text === 'first' && failuresLeft-- > 0) throw outage();
      ran.push(ev.text);
    });
    const psid = `p${++n}`;
    await r.enqueue([event(psid, 'first'), event(psid, 'second')]);
    await r.enqueue([event(psid, 'third')]);
    await eventually(async () => ran.length === 3);
    expect(ran).toEqual(['first', 'second', 'third']);
  });

  it('goes to the dead-letter list after the deadline, and only then is the customer told; the next event runs', async () => {
    const ran: string[] = [];
    const prefix = newPrefix();
    const { r, told } = runner(prefix, async (ev) => {
      if (ev.text === 'doomed') throw outage();
      ran.push(ev.text);
    }, { outageDeadlineMs: 300 });
    const psid = `p${++n}`;
    await r.enqueue([event(psid, 'doomed'), event(psid, 'after')]);
    await eventually(async () => ran.includes('after'));
    expect(told).toEqual(['doomed']);
    expect(await r.deadLetterCount()).toBe(1);
    const [dead] = await r.deadLetters();
    expect(dead).toMatchObject({ event: { psid, text: 'doomed' }, error: 'connect ECONNREFUSED 127.0.0.1:3306' });
    expect(await redis.llen(`${prefix}:bot:inbox:${psid}`)).toBe(0);
  });
});

describe('a turn that fails on a bug', () => {
  it('is not retried: the event goes at once and the next one runs', async () => {
    const tries: string[] = [];
    const { r, told } = runner(newPrefix(), async (ev) => {
      tries.push(ev.text);
      if (ev.text === 'buggy') throw new TypeError('cannot read properties of undefined');
    });
    const psid = `p${++n}`;
    await r.enqueue([event(psid, 'buggy'), event(psid, 'next')]);
    await eventually(async () => tries.includes('next'));
    expect(tries).toEqual(['buggy', 'next']);
    expect(told).toEqual([]);
  });
});

describe('a turn that overruns the turn timeout and the lock lease', () => {
  it('keeps the user locked until it really ends, in this process and against another one', async () => {
    const prefix = newPrefix();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const turn = (who: string) => async (ev: InboundEvent) => {
      log.push(`${who} start ${ev.text}`);
      if (ev.text === 'slow') await gate;
      log.push(`${who} end ${ev.text}`);
    };
    const a = runner(prefix, turn('A'), { turnTimeoutMs: 50 });
    const b = runner(prefix, turn('B'), { turnTimeoutMs: 50 }); // another process: its sweeper looks every 100 ms
    const psid = `p${++n}`;
    await a.r.enqueue([event(psid, 'slow')]);
    await eventually(async () => log.includes('A start slow'));
    await b.r.enqueue([event(psid, 'next')]);
    // several leases (600 ms) and sweeps (100 ms) go by while the slow turn runs
    const lock = `${prefix}:bot:lock:${psid}`;
    for (let i = 0; i < 3; i++) {
      const ttl = await redis.pttl(lock);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600);
      await new Promise((res) => setTimeout(res, 400));
    }
    expect(log).toEqual(['A start slow']);
    release();
    await eventually(async () => log.some((l) => l.endsWith('end next')));
    expect(log.slice(0, 3)).toEqual(['A start slow', 'A end slow', log[2]]);
    expect(log[2]).toMatch(/start next$/);
  });
});

describe('while the webhook is busy', () => {
  it('runs at most busyConcurrent users at once, then as many as maxConcurrent when the posts ease', async () => {
    let busy = true;
    let running = 0;
    const peaks: Array<{ busy: boolean; running: number }> = [];
    const ran: string[] = [];
    const { r } = runner(newPrefix(), async (ev) => {
      running += 1;
      peaks.push({ busy, running });
      await new Promise((res) => setTimeout(res, 40));
      running -= 1;
      ran.push(ev.text);
    }, { maxConcurrent: 8, busyConcurrent: 2, busy: () => busy });
    const users = Array.from({ length: 12 }, () => `p${++n}`);
    await r.enqueue(users.map((u) => event(u, `hi ${u}`)));
    await eventually(async () => ran.length >= 4);
    busy = false;
    await r.enqueue(users.map((u) => event(u, `again ${u}`)));
    await eventually(async () => ran.length === 24);
    expect(Math.max(...peaks.filter((p) => p.busy).map((p) => p.running))).toBeLessThanOrEqual(2);
    expect(Math.max(...peaks.filter((p) => !p.busy).map((p) => p.running))).toBeGreaterThan(2);
    expect(Math.max(...peaks.map((p) => p.running))).toBeLessThanOrEqual(8);
  });
});

describe('when more users have events than there are drain slots', () => {
  it('gives the slot to a waiting user after each turn, instead of to the same user’s next event', async () => {
    const ran: string[] = [];
    const { r } = runner(newPrefix(), async (ev) => {
      ran.push(ev.text);
      await new Promise((res) => setTimeout(res, 20));
    }, { maxConcurrent: 1 });
    const [a, b] = [`p${++n}`, `p${++n}`];
    await r.enqueue([1, 2, 3, 4].map((k) => event(a, `a${k}`)));
    await r.enqueue([event(b, 'b1')]); // arrives while a1 runs: waits for the one slot
    await eventually(async () => ran.length === 5);
    expect(ran.indexOf('b1')).toBeLessThanOrEqual(1);
    expect(ran.filter((t) => t.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
  });
});

describe('ack-only and turn processes (TURN_PROCESS=worker)', () => {
  it('the acking runner runs nothing; two turn runners drain every event once, each user in order', async () => {
    const prefix = newPrefix();
    const acked: string[] = [];
    const { r: ack } = runner(prefix, async (ev) => void acked.push(ev.text), { wake: true });
    const ran: InboundEvent[] = [];
    const turn = async (ev: InboundEvent) => {
      ran.push(ev);
      await new Promise((r) => setTimeout(r, Math.random() * 5)); // turns of one user overlap in time if the lock failed
    };
    runner(prefix, turn, { wake: true, listen: redis.duplicate() });
    runner(prefix, turn, { wake: true, listen: redis.duplicate() });
    const users = Array.from({ length: 8 }, (_, i) => `u${i}`);
    const sent: InboundEvent[] = [];
    for (let k = 0; k < 5; k++) {
      const batch = users.map((u) => event(u, `${u}-${k}`));
      sent.push(...batch);
      expect(await ack.enqueue(batch)).toHaveLength(batch.length);
    }
    await eventually(async () => ran.length === sent.length);
    expect(acked).toEqual([]);
    expect(new Set(ran.map((e) => e.dedupeKey)).size).toBe(sent.length);
    for (const u of users) expect(ran.filter((e) => e.psid === u).map((e) => e.text)).toEqual([0, 1, 2, 3, 4].map((k) => `${u}-${k}`));
    expect(await redis.llen(`${prefix}:bot:ready`)).toBe(0);
  });

  it('gives the one slot of a turn process to a user on the ready list after each turn, not to the next event of the same user', async () => {
    const prefix = newPrefix();
    const { r: ack } = runner(prefix, async () => undefined, { wake: true });
    const ran: string[] = [];
    let arrived: () => void = () => undefined;
    const firstRuns = new Promise<void>((resolve) => (arrived = resolve));
    runner(prefix, async (ev) => {
      ran.push(ev.text);
      arrived();
      await new Promise((res) => setTimeout(res, 30));
    }, { wake: true, listen: redis.duplicate(), maxConcurrent: 1 });
    const [a, b] = [`p${++n}`, `p${++n}`];
    await ack.enqueue([1, 2, 3, 4].map((k) => event(a, `a${k}`)));
    await firstRuns;
    await ack.enqueue([event(b, 'b1')]); // on the ready list while a1 runs in the one slot
    await eventually(async () => ran.length === 5);
    expect(ran.indexOf('b1')).toBeLessThanOrEqual(1);
    expect(ran.filter((t) => t.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(await redis.llen(`${prefix}:bot:ready`)).toBe(0);
  });

  it('a wake taken by a process that died before draining: the sweeper of a turn process drains the user', async () => {
    const prefix = newPrefix();
    const { r: ack } = runner(prefix, async () => undefined, { wake: true });
    await ack.enqueue([event('lost-wake', 'hello')]);
    expect(await redis.lpop(`${prefix}:bot:ready`)).toBe('lost-wake'); // the wake is gone with "the dead process"
    const ran: string[] = [];
    runner(prefix, async (ev) => void ran.push(ev.text), { wake: true, listen: redis.duplicate() });
    await eventually(async () => ran.length === 1);
    expect(ran).toEqual(['hello']);
  });
});
