import type { RedisClient } from '../db/redis.js';
import type { Logger } from 'pino';

/**
 * TURN_PROCESS=worker: the processes that run turns are not the ones that ack the webhook, so they learn of
 * new work from the ready list the enqueue script pushes a user onto (only a user who was not pending, see
 * turn-scripts.ts). One BLPOP waits for the first; the rest waiting are taken in one LPOP, as many as this
 * process has free drain slots. A wake taken by a process that then dies is not lost: the user stays in the
 * pending set, and the sweeper of any process that runs turns drains them.
 */
export interface WakeListener {
  /** Resolves once the loop stopped (after stop()). */
  stop(): Promise<void>;
}

export interface WakeOptions {
  /** a connection of its own: BLPOP blocks it (the app's command connection must never wait) */
  conn: RedisClient;
  readyKey: string;
  /** drain slots free in this process now (0: wait) */
  free(): number;
  kick(psid: string): void;
  logger: Logger;
  /** how long one BLPOP waits (s): also how late stop() may take effect without a disconnect */
  blockSeconds?: number;
}

export function listenForWakes(opts: WakeOptions): WakeListener {
  const { conn, readyKey, logger } = opts;
  let stopped = false;
  let nap: (() => void) | null = null;
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(() => ((nap = null), resolve()), ms);
    nap = () => (clearTimeout(t), (nap = null), resolve());
  });
  const loop = (async () => {
    while (!stopped) {
      const free = opts.free();
      if (free <= 0) {
        await sleep(5); // a drain ends soon; the users waiting stay on the list for this or another process
        continue;
      }
      try {
        const first = await conn.blpop(readyKey, opts.blockSeconds ?? 1);
        if (!first || stopped) continue;
        opts.kick(first[1]);
        const more = free > 1 ? await conn.lpop(readyKey, free - 1) : null;
        for (const psid of more ?? []) opts.kick(psid);
      } catch (err) {
        if (stopped) break;
        logger.warn({ err: (err as Error).message }, 'bot wake list unreachable; retrying (the sweeper still drains pending users)');
        await sleep(1000);
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      nap?.();
      conn.disconnect(); // ends a BLPOP in progress at once
      await loop;
    },
  };
}
