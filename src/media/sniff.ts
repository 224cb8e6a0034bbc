/**
 * What an image really is, from its first bytes (never from a header or a file name). Only the four
 * formats Messenger and browsers show everywhere are accepted.
 */
export interface ImageKind {
  ext: 'jpg' | 'png' | 'webp' | 'gif';
  type: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const KINDS: Array<ImageKind & { magic: (b: Buffer) => boolean }> = [
  { ext: 'png', type: 'image/png', magic: (b) => b.subarray(0, 8).equals(PNG) },
  { ext: 'jpg', type: 'image/jpeg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { ext: 'gif', type: 'image/gif', magic: (b) => /^GIF8[79]a$/.test(b.subarray(0, 6).toString('latin1')) },
  { ext: 'webp', type: 'image/webp', magic: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

export function sniffImage(bytes: Buffer): ImageKind | null {
  const k = KINDS.find((x) => x.magic(bytes));
  return k ? { ext: k.ext, type: k.type } : null;
}

export function kindOfExt(ext: string): ImageKind | null {
  const k = KINDS.find((x) => x.ext === ext);
  return k ? { ext: k.ext, type: k.type } : null;
}

/** '8 MB', '2 KB': a size limit in words */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB` : `${Math.ceil(n / 1024)} KB`;
}

export const IMAGE_FORMATS_TEXT = 'a JPEG, PNG, WebP or GIF image';
