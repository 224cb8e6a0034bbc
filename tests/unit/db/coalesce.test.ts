import { describe, expect, it } from 'vitest';
import { createCoalescer } from '../../../src/db/coalesce.js';

/** The batch scheduler of the engine's group commit and coalesced reads, and the notification jobs' batches. */
function recorder(maxInFlight: number, maxGroup = 32) {
  const batches: number[][] = [];
  const open: Array<() => void> = [];
  const join = createCoalescer<number>({
    maxGroup,
    maxInFlight,
    run: (members) => {
      batches.push(members);
      return new Promise<void>((resolve) => open.push(resolve));
    },
  });
  const tick = () => new Promise((r) => setImmediate(r));
  return { batches, open, join, tick };
}

describe('createCoalescer', () => {
  it('spreads the members waiting over the free slots, so callers that arrived together do not stay in lock-step', async () => {
    const { batches, join, tick } = recorder(2);
    for (let i = 0; i < 8; i++) join(i);
    await tick();
    await tick();
    expect(batches).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it('holds what arrives while every slot is busy, and sends it together when one frees', async () => {
    const { batches, open, join, tick } = recorder(1);
    join(0);
    await tick();
    for (let i = 1; i <= 5; i++) join(i);
    await tick();
    expect(batches).toEqual([[0]]);
    open[0]!();
    await tick();
    await tick();
    expect(batches).toEqual([[0], [1, 2, 3, 4, 5]]);
  });

  it('without a bound on batches in flight, sends each turn of the event loop as one batch (up to maxGroup)', async () => {
    const { batches, join, tick } = recorder(Infinity, 3);
    for (let i = 0; i < 5; i++) join(i);
    await tick();
    await tick();
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });
});
