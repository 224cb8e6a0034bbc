import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kindOfExt, sniffImage } from '../media/sniff.js';

/**
 * Photos the simulated shopper sends (a payment proof, say). Messenger hands a Page an image as a URL;
 * the simulator stores the upload on disk and serves it itself, so the bot gets a URL that works.
 * Files live in the OS temp folder so a restart keeps links in old orders working until reboot.
 */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
/** The folder keeps the newest this many photos: anyone who can reach the page can upload. */
export const MAX_UPLOAD_FILES = 200;


export type UploadResult = { ok: true; name: string } | { ok: false; status: 413 | 415; error: string };

export interface UploadStore {
  dir: string;
  save(bytes: Buffer): Promise<UploadResult>;
  /** The stored file and its content type, or null for an unknown or malformed name. */
  load(name: string): Promise<{ bytes: Buffer; type: string } | null>;
}

async function pruneOldest(dir: string, keep: number): Promise<void> {
  const names = await readdir(dir);
  if (names.length <= keep) return;
  const files = await Promise.all(names.map(async (n) => ({ n, t: (await stat(path.join(dir, n)).catch(() => null))?.mtimeMs ?? 0 })));
  files.sort((a, b) => a.t - b.t);
  await Promise.all(files.slice(0, files.length - keep).map((f) => rm(path.join(dir, f.n), { force: true })));
}

export function createUploadStore(dir = path.join(tmpdir(), 'quicksell-simulator-uploads'), keep = MAX_UPLOAD_FILES): UploadStore {
  return {
    dir,
    async save(bytes) {
      if (bytes.length > MAX_UPLOAD_BYTES) return { ok: false, status: 413, error: `photo is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` };
      // The bytes decide the type, not the header: a renamed text file is refused.
      const kind = sniffImage(bytes);
      if (!kind) return { ok: false, status: 415, error: 'photo must be a PNG, JPEG, GIF or WebP image' };
      await mkdir(dir, { recursive: true });
      const name = `${randomUUID()}.${kind.ext}`;
      await writeFile(path.join(dir, name), bytes);
      await pruneOldest(dir, keep);
      return { ok: true, name };
    },
    async load(name) {
      const m = /^[0-9a-f-]{36}\.(png|jpg|gif|webp)$/.exec(name);
      if (!m) return null;
      const kind = kindOfExt(m[1]!);
      try {
        return { bytes: await readFile(path.join(dir, name)), type: kind!.type };
      } catch {
        return null;
      }
    },
  };
}
