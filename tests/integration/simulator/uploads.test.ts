import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createUploadStore } from '../../../src/simulator/uploads.js';

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function store(keep?: number) {
  const dir = await mkdtemp(path.join(tmpdir(), 'qs-sim-uploads-'));
  dirs.push(dir);
  return createUploadStore(dir, keep);
}

describe('the photo store', () => {
  it('names a file by what its bytes are, and serves it back with that type', async () => {
    const s = await store();
    const saved = await s.save(jpeg);
    expect(saved).toMatchObject({ ok: true, name: expect.stringMatching(/\.jpg$/) });
    const back = await s.load((saved as { name: string }).name);
    expect(back?.type).toBe('image/jpeg');
    expect(back?.bytes.equals(jpeg)).toBe(true);
  });

  it('keeps only the newest photos, so uploads cannot fill the disk', async () => {
    const s = await store(3);
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      const saved = await s.save(png);
      names.push((saved as { name: string }).name);
      await new Promise((r) => setTimeout(r, 15)); // distinct modification times
    }
    const left = await readdir(s.dir);
    expect(left.sort()).toEqual(names.slice(2).sort());
    expect(await s.load(names[0]!)).toBeNull();
  });
});
