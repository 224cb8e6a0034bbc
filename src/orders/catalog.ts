import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import { z } from 'zod';
import { publishAfterCommit, type EngineContext } from './engine-context.js';
import { toDecimal, toCentavos } from './money.js';
import { shippingFee } from './pricing.js';
import { decodeCursor, encodeCursor, iso } from './rows.js';
import { parseWith, priceField } from './schemas.js';
import * as q from './sql/catalog-sql.js';
import { SELECT_SHIPPING_RATE } from './sql/create-order-sql.js';
import { clearLowStockIds, isDuplicateKey, runTx, takeLowStockIds } from './tx.js';
import type { CategorySummary, ListProductsQuery, Product, ProductPage, ProductResult, ShippingQuote, ValidationError } from './types.js';

/** The product catalog and shipping quotes (stock changes: inventory.ts). */

const productFields = {
  name: z.string().trim().min(1).max(200),
  price: priceField,
  stock_quantity: z.number().int().min(0).max(10_000_000),
  sku: z.string().trim().min(1).max(64).nullish(),
  description: z.string().trim().max(5000).nullish(),
  low_stock_threshold: z.number().int().min(0).max(1_000_000),
  status: z.enum(['active', 'inactive']),
  category: z.string().trim().max(100).nullish(),
  image_url: z.url({ protocol: /^https?$/ }).max(1000).nullish(),
};
const createSchema = z.object({
  ...productFields,
  stock_quantity: productFields.stock_quantity.default(0),
  low_stock_threshold: productFields.low_stock_threshold.default(5),
  status: productFields.status.default('active'),
});
const patchSchema = z
  .object({
    name: productFields.name,
    price: productFields.price,
    status: productFields.status,
    low_stock_threshold: productFields.low_stock_threshold,
    description: productFields.description,
    category: productFields.category,
    image_url: productFields.image_url,
  })
  .partial()
  .strict();

/** The engine's rule for one field of a new product, for a dialog that asks them one at a time. */
export type ProductField = 'name' | 'price' | 'stock_quantity' | 'category';
export function checkProductField(field: ProductField, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const r = parseWith(z.object({ [field]: productFields[field] }), { [field]: value });
  return r.ok ? { ok: true, value: (r.value as Record<string, unknown>)[field] } : { ok: false, message: r.errors[0]!.message };
}

export function toProduct(r: RowDataPacket): Product {
  const stock = Number(r.stock_quantity);
  const reserved = Number(r.reserved_quantity);
  return {
    id: Number(r.id),
    sku: r.sku ?? null,
    name: r.name,
    description: r.description ?? null,
    price: r.price,
    stock_quantity: stock,
    reserved_quantity: reserved,
    available_quantity: stock - reserved,
    low_stock_threshold: Number(r.low_stock_threshold),
    status: r.status,
    category: r.category ?? null,
    image_url: r.image_url ?? null,
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}

export async function getProduct(ctx: EngineContext, id: number): Promise<Product | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const [[row]] = await ctx.db.query<RowDataPacket[]>(q.SELECT_PRODUCT, [id]);
  return row ? toProduct(row) : null;
}

export async function listProducts(ctx: EngineContext, query: ListProductsQuery = {}): Promise<ProductPage> {
  const limit = Math.min(100, Math.max(1, Math.trunc(Number(query.limit) || 20)));
  const status = query.status === 'all' ? null : (query.status ?? 'active');
  const category = query.uncategorized ? null : query.category?.trim() || null;
  const search = query.search?.trim() ? `%${query.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const after = decodeCursor(query.cursor) ?? 0;
  const [rows] = await ctx.db.query<RowDataPacket[]>(q.LIST_PRODUCTS, [status, status, category, category, query.uncategorized ? 1 : 0, search, search, search, search, after, limit + 1]);
  const products = rows.slice(0, limit).map(toProduct);
  return { products, next_cursor: rows.length > limit ? encodeCursor(products[products.length - 1]!.id) : null };
}

export async function listCategories(ctx: EngineContext): Promise<CategorySummary[]> {
  const [rows] = await ctx.db.query<RowDataPacket[]>(q.LIST_CATEGORIES);
  return rows.map((r) => ({ category: (r.category as string | null) ?? null, product_count: Number(r.product_count) }));
}

export async function createProduct(ctx: EngineContext, input: unknown): Promise<ProductResult> {
  const parsed = parseWith(createSchema, input);
  if (!parsed.ok) return invalid(parsed.errors);
  const p = parsed.value;
  try {
    const [res] = await ctx.db.query<ResultSetHeader>(q.INSERT_PRODUCT, [
      p.sku ?? null, p.name, p.description ?? null, toDecimal(p.price), p.stock_quantity, p.low_stock_threshold, p.status, p.category ?? null, p.image_url ?? null,
    ]);
    return { success: true, product: (await getProduct(ctx, res.insertId))! };
  } catch (err) {
    if (isDuplicateKey(err, 'uq_products_sku')) return duplicateSku(p.sku ?? '');
    throw err;
  }
}

export async function updateProduct(ctx: EngineContext, id: number, patch: unknown): Promise<ProductResult> {
  const parsed = parseWith(patchSchema, patch);
  if (!parsed.ok) return invalid(parsed.errors);
  const entries = Object.entries(parsed.value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) {
    return invalid([{ field: '(body)', code: 'REQUIRED', message: 'nothing to change: give at least one of price, status, low_stock_threshold, name, description, category, image_url' }]);
  }
  const existing = await getProduct(ctx, id);
  if (!existing) return notFound(id);
  // column names come from the schema's fixed keys above, never from the input
  const sets = entries.map(([k]) => `\`${k}\` = ?`).join(', ');
  const values = entries.map(([k, v]) => (k === 'price' ? toDecimal(v as number) : v));
  const low = await runTx(ctx.db, async (conn) => {
    await clearLowStockIds(conn);
    await conn.query(`UPDATE products SET ${sets} WHERE id = ?`, [...values, id]);
    return takeLowStockIds(conn);
  });
  await publishAfterCommit(ctx, { notificationIds: [], broadcastIds: low, processingIds: [] });
  return { success: true, product: (await getProduct(ctx, id))! };
}

export async function quoteShipping(ctx: EngineContext, province: string, subtotal: number | string): Promise<ShippingQuote> {
  const sub = toCentavos(subtotal) ?? 0;
  const [[rate]] = await ctx.db.query<RowDataPacket[]>(SELECT_SHIPPING_RATE, [String(province ?? '').trim()]);
  if (!rate) throw new Error("no shipping rate configured: shipping_rates needs a '*' fallback row (migration 005)");
  const base = toCentavos(rate.fee as string)!;
  const freeMin = rate.free_shipping_min === null ? null : toCentavos(rate.free_shipping_min as string);
  const fee = shippingFee({ province: rate.province, fee: base, free_shipping_min: freeMin }, sub);
  return {
    province: String(province ?? '').trim(),
    fee: toDecimal(fee),
    base_fee: toDecimal(base),
    free_shipping_min: freeMin === null ? null : toDecimal(freeMin),
    is_free: fee === 0,
    matched: rate.province === '*' ? 'fallback' : 'province',
  };
}

function invalid(errors: ValidationError[]): ProductResult {
  return { success: false, code: 'VALIDATION_FAILED', error: errors[0]?.message ?? 'Validation failed', validation_errors: errors };
}
function notFound(id: number): ProductResult {
  return { success: false, code: 'PRODUCT_NOT_FOUND', error: `Product ${id} does not exist`, validation_errors: [] };
}
function duplicateSku(sku: string): ProductResult {
  return { success: false, code: 'DUPLICATE_SKU', error: `SKU ${sku} is already used by another product`, validation_errors: [{ field: 'sku', code: 'INVALID_FORMAT', message: `SKU ${sku} is already used` }] };
}
