import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import { formatMoney, toCentavos, type Centavos } from './money.js';
import type { Warning } from './types.js';

/** Pure fraud rules: facts in, warnings and a score out. Thresholds come from config (FRAUD_*). */

export interface FraudFacts {
  total: Centavos;
  payment_method: string;
  /** the user's orders (not cancelled/expired) in the last hour */
  orders_last_hour: number;
  /** minutes since the user last ordered exactly these items (product × quantity), null if never */
  same_items_minutes_ago: number | null;
}

export interface FraudVerdict {
  score: number;
  warnings: Warning[];
  requires_verification: boolean;
}

type FraudConfig = Pick<
  Config,
  'FRAUD_HIGH_VALUE' | 'FRAUD_COD_LIMIT' | 'FRAUD_MAX_ORDERS_PER_HOUR' | 'FRAUD_DUPLICATE_WINDOW_MINUTES' | 'FRAUD_VERIFY_SCORE' | 'CURRENCY'
>;

export const FRAUD_POINTS = { HIGH_VALUE: 30, COD_ABOVE_LIMIT: 30, HIGH_ORDER_RATE: 30, DUPLICATE_ORDER: 25 } as const;

export function assessFraud(f: FraudFacts, c: FraudConfig): FraudVerdict {
  const warnings: Warning[] = [];
  let score = 0;
  const flag = (code: keyof typeof FRAUD_POINTS, message: string) => {
    score += FRAUD_POINTS[code];
    warnings.push({ code, message });
  };
  const highValue = toCentavos(c.FRAUD_HIGH_VALUE) ?? Number.MAX_SAFE_INTEGER;
  const codLimit = toCentavos(c.FRAUD_COD_LIMIT) ?? Number.MAX_SAFE_INTEGER;
  if (f.total >= highValue) flag('HIGH_VALUE', `High-value order (${formatMoney(f.total, c.CURRENCY, 'centavos')})`);
  if (f.payment_method === 'cod' && f.total > codLimit) {
    flag('COD_ABOVE_LIMIT', `Cash on delivery above ${formatMoney(codLimit, c.CURRENCY, 'centavos')}`);
  }
  if (f.orders_last_hour >= c.FRAUD_MAX_ORDERS_PER_HOUR) {
    flag('HIGH_ORDER_RATE', `${f.orders_last_hour + 1} orders from this customer within an hour`);
  }
  if (f.same_items_minutes_ago !== null && f.same_items_minutes_ago <= c.FRAUD_DUPLICATE_WINDOW_MINUTES) {
    flag('DUPLICATE_ORDER', `The same items were ordered ${f.same_items_minutes_ago} minute(s) ago`);
  }
  return { score, warnings, requires_verification: score >= c.FRAUD_VERIFY_SCORE };
}

/** 'productId x qty' joined in product order: two orders with the same signature have the same items. */
export function itemsSignature(lines: { product_id: number; quantity: number }[]): string {
  return [...lines]
    .sort((a, b) => a.product_id - b.product_id)
    .map((l) => `${l.product_id}x${l.quantity}`)
    .join(',');
}

/** SHA-1 of itemsSignature: stored on the order (orders.items_signature) and looked up by index. */
export function itemsSignatureHash(lines: { product_id: number; quantity: number }[]): string {
  return createHash('sha1').update(itemsSignature(lines)).digest('hex');
}
