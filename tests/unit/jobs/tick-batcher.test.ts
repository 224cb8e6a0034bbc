import { describe, expect, it } from 'vitest';
import { createTickBatcher } from '../../../src/jobs/tick-batcher.js';

/** A batch runner whose batches stay out until the test settles them. */
function held() {
  const batches: number[][] = [];
  const settle: Array<(fail?: Error) => void> = [];
  const run = (items: number[]) => {
    batches.push(items);
    return new Promise<string[]>((resolve, reject) => settle.push((fail) => (fail ? reject(fail) : resolve(items.map((i) => `r${i}`)))));
  };
  const tick = () => new Promise((r) => setImmediate(r));
  return { batches, settle, run, tick };
}

describe('createTickBatcher', () => {
  it('with one batch in flight, the calls made while it is out go together as the next, each answered its own result', async () => {
    const { batches, settle, run, tick } = held();
    const call = createTickBatcher(run, 100, 1);
    const first = call(1);
    await tick();
    const later = [call(2), call(3)];
    await tick();
    const last = call(4);
    await tick();
    expect(batches).toEqual([[1]]);
    settle[0]!();
    await tick();
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    settle[1]!();
    expect(await first).toBe('r1');
    expect(await Promise.all([...later, last])).toEqual(['r2', 'r3', 'r4']);
  });

  it('a failed batch fails its own callers only; the next batch still runs', async () => {
    const { batches, settle, run, tick } = held();
    const call = createTickBatcher(run, 100, 1);
    const failing = call(1);
    await tick();
    const next = call(2);
    settle[0]!(new Error('connection lost'));
    await expect(failing).rejects.toThrow('connection lost');
    await tick();
    await tick();
    expect(batches).toEqual([[1], [2]]);
    settle[1]!();
    expect(await next).toBe('r2');
  });

  it('unbounded (the default), each turn of the event loop goes at once, beside the batches still out', async () => {
    const { batches, run, tick } = held();
    const call = createTickBatcher(run);
    void call(1);
    void call(2);
    await tick();
    void call(3);
    await tick();
    expect(batches).toEqual([[1, 2], [3]]);
  });
});
