import { randomUUID } from 'node:crypto';
import type { ResultSetHeader } from 'mysql2/promise';
import type { Db } from '../../src/db/pool.js';

/** Small factories: each row gets unique names so test files can share one database. */
export async function makeProduct(
  db: Db,
  opts: { stock?: number; price?: number | string; name?: string; status?: 'active' | 'inactive'; category?: string; threshold?: number } = {},
): Promise<number> {
  const tag = randomUUID().slice(0, 8);
  const [res] = await db.query<ResultSetHeader>(
    `INSERT INTO products (sku, name, price, stock_quantity, status, category, low_stock_threshold)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      `SKU-${tag}`,
      opts.name ?? `Test product ${tag}`,
      String(opts.price ?? '1000.00'),
      opts.stock ?? 10,
      opts.status ?? 'active',
      opts.category ?? 'Test',
      opts.threshold ?? 0,
    ],
  );
  return res.insertId;
}

export async function makeUser(db: Db, opts: { name?: string; phone?: string; psid?: string | null } = {}): Promise<number> {
  const [res] = await db.query<ResultSetHeader>('INSERT INTO users (name, phone, psid) VALUES (?, ?, ?)', [
    opts.name ?? 'Test User',
    opts.phone ?? '09123456789',
    opts.psid ?? null,
  ]);
  return res.insertId;
}

/** The seed's Test 1 payload for a user and product. */
export function seedOrderPayload(userId: number, productId: number, quantity = 2) {
  return {
    user_id: userId,
    items: [{ product_id: productId, quantity }],
    subtotal: 2000.0,
    shipping_fee: 100.0,
    discount_amount: 0.0,
    total_amount: 2100.0,
    payment_method: 'cod',
    shipping_address: {
      recipient_name: 'Test User',
      phone: '09123456789',
      address: '123 Test Street, Brgy. Test',
      city: 'Manila',
      province: 'Metro Manila',
      postal_code: '1000',
    },
  };
}
