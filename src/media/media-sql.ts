/** Named SQL for the media store (migration 050). Values are always bound. */

const META = 'id, public_id, kind, sha256, content_type, size, created_at';

/** ? public id, ? kind, ? sha256, ? content type, ? size, ? bytes — an existing (kind, sha256) row is kept */
export const INSERT_MEDIA = `INSERT INTO media (public_id, kind, sha256, content_type, size, bytes) VALUES (?, ?, ?, ?, ?, ?)
  ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)`;
/** ? id */
export const SELECT_MEDIA_META = `SELECT ${META} FROM media WHERE id = ?`;
/** ? id */
export const SELECT_MEDIA = `SELECT ${META}, bytes FROM media WHERE id = ?`;
/** ? public id — product photos only: payment proofs are never served publicly */
export const SELECT_PUBLIC_MEDIA = `SELECT ${META}, bytes FROM media WHERE public_id = ? AND kind = 'product_image'`;
