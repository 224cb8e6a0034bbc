import { createHash, randomBytes } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Db } from '../db/pool.js';
import { IMAGE_FORMATS_TEXT, formatBytes, kindOfExt, sniffImage } from './sniff.js';
import * as q from './media-sql.js';

/**
 * The one store for every image the shop keeps: the `media` table (migration 050). The content type is
 * sniffed from the bytes; identical bytes of one kind are stored once (the existing row is returned).
 */
export type MediaKind = 'payment_proof' | 'product_image';

export interface StoredMedia {
  id: number;
  public_id: string;
  kind: MediaKind;
  content_type: string;
  ext: string;
  size: number;
  sha256: string;
}

export type MediaRefusal = { ok: false; code: 'NOT_AN_IMAGE' | 'TOO_LARGE'; message: string };
export type SaveResult = { ok: true; media: StoredMedia } | MediaRefusal;

export interface MediaStore {
  maxBytes: number;
  save(bytes: Buffer, kind: MediaKind): Promise<SaveResult>;
  /** any kind, with its bytes (admins' payment proofs, the notifications worker) */
  load(id: number): Promise<(StoredMedia & { bytes: Buffer }) | null>;
  /** a product photo by its public name '<public_id>.<ext>'; null for anything else (proofs included) */
  loadPublic(name: string): Promise<(StoredMedia & { bytes: Buffer }) | null>;
  /** '/media/<public_id>.<ext>' */
  publicPath(m: StoredMedia): string;
}

function toMedia(r: RowDataPacket): StoredMedia {
  const type = String(r.content_type);
  return {
    id: Number(r.id),
    public_id: r.public_id,
    kind: r.kind,
    content_type: type,
    ext: type === 'image/jpeg' ? 'jpg' : type.slice('image/'.length),
    size: Number(r.size),
    sha256: r.sha256,
  };
}

export function createMediaStore(db: Db, opts: { maxBytes: number }): MediaStore {
  return {
    maxBytes: opts.maxBytes,
    async save(bytes, kind) {
      if (bytes.length > opts.maxBytes) return { ok: false, code: 'TOO_LARGE', message: `the image is larger than the ${formatBytes(opts.maxBytes)} allowed` };
      const sniffed = sniffImage(bytes);
      if (!sniffed) return { ok: false, code: 'NOT_AN_IMAGE', message: `that file is not ${IMAGE_FORMATS_TEXT}` };
      const sha = createHash('sha256').update(bytes).digest('hex');
      // same bytes, same kind: the existing row (LAST_INSERT_ID(id) makes insertId name it)
      const [res] = await db.query<ResultSetHeader>(q.INSERT_MEDIA, [randomBytes(16).toString('hex'), kind, sha, sniffed.type, bytes.length, bytes]);
      const [[row]] = await db.query<RowDataPacket[]>(q.SELECT_MEDIA_META, [res.insertId]);
      return { ok: true, media: toMedia(row!) };
    },
    async load(id) {
      if (!Number.isSafeInteger(id) || id <= 0) return null;
      const [[row]] = await db.query<RowDataPacket[]>(q.SELECT_MEDIA, [id]);
      return row ? { ...toMedia(row), bytes: row.bytes as Buffer } : null;
    },
    async loadPublic(name) {
      const m = /^([0-9a-f]{32})\.(jpg|png|webp|gif)$/.exec(name);
      if (!m) return null;
      const [[row]] = await db.query<RowDataPacket[]>(q.SELECT_PUBLIC_MEDIA, [m[1]]);
      if (!row || kindOfExt(m[2]!)?.type !== row.content_type) return null;
      return { ...toMedia(row), bytes: row.bytes as Buffer };
    },
    publicPath: (m) => `/media/${m.public_id}.${m.ext}`,
  };
}
