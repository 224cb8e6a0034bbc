import type { OrderService, Product } from '../orders/index.js';
import type { MediaStore } from './media-store.js';
import { safeDownload, type DownloadPolicy } from './safe-download.js';

/**
 * A product's photo, uploaded through the API or sent in chat by an admin: stored in the media store
 * and served publicly at an unguessable /media URL, which becomes the product's image_url.
 */
export type MediaErrorCode = 'NOT_AN_IMAGE' | 'TOO_LARGE';

export type ProductImageResult =
  | { success: true; image_url: string; product: Product }
  | { success: false; code: MediaErrorCode | 'PRODUCT_NOT_FOUND'; error: string };

export interface ProductImages {
  setImage(productId: number, bytes: Buffer): Promise<ProductImageResult>;
  /** store a photo before the product exists (the chat's Add product dialog): its public URL */
  storeImage(bytes: Buffer): Promise<StoredImage>;
  /** the same, from a Messenger attachment URL, fetched under the download rules (safe-download.ts) */
  storeImageFrom(url: string): Promise<StoredImage | { success: false; code: 'DOWNLOAD_FAILED'; error: string }>;
}

export type StoredImage = { success: true; image_url: string } | { success: false; code: MediaErrorCode; error: string };

export function createProductImages(deps: { media: MediaStore; orders: OrderService; publicUrl: string; policy: DownloadPolicy }): ProductImages {
  async function storeImage(bytes: Buffer): Promise<StoredImage> {
    const saved = await deps.media.save(bytes, 'product_image');
    if (!saved.ok) return { success: false as const, code: saved.code, error: saved.message };
    return { success: true as const, image_url: `${deps.publicUrl}${deps.media.publicPath(saved.media)}` };
  }
  return {
    storeImage,
    async storeImageFrom(url) {
      const got = await safeDownload(url, deps.policy);
      return got.ok ? storeImage(got.bytes) : { success: false, code: 'DOWNLOAD_FAILED', error: got.message };
    },
    async setImage(productId, bytes) {
      if (!(await deps.orders.getProduct(productId))) return { success: false, code: 'PRODUCT_NOT_FOUND', error: `Product ${productId} does not exist` };
      const stored = await storeImage(bytes);
      if (!stored.success) return stored;
      const updated = await deps.orders.updateProduct(productId, { image_url: stored.image_url });
      if (!updated.success) return { success: false, code: 'PRODUCT_NOT_FOUND', error: updated.error };
      return { success: true, image_url: stored.image_url, product: updated.product };
    },
  };
}
