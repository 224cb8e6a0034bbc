import { formatMoney } from '../orders/money.js';

/**
 * The demo shop's catalog and its product pictures. The pictures are drawn here as small SVGs (no
 * downloads, no binary files in the repo) and served by the simulator at /simulator/images/<slug>.svg.
 */
export interface DemoProduct {
  slug: string;
  sku: string;
  name: string;
  description: string;
  price: string;
  stock: number;
  category: 'Apparel' | 'Bags' | 'Pantry' | 'Home';
  lowStockThreshold: number;
}

export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  { slug: 'classic-white-tee', sku: 'DEMO-TEE-WHT', name: 'Classic White Tee', description: 'Heavyweight cotton crew neck, unisex fit.', price: '450.00', stock: 40, category: 'Apparel', lowStockThreshold: 5 },
  { slug: 'manila-sunset-tee', sku: 'DEMO-TEE-SUN', name: 'Manila Sunset Tee', description: 'Soft tee with a Manila Bay sunset print.', price: '550.00', stock: 25, category: 'Apparel', lowStockThreshold: 5 },
  { slug: 'denim-jacket', sku: 'DEMO-JKT-DNM', name: 'Denim Jacket', description: 'Washed denim trucker jacket.', price: '1850.00', stock: 8, category: 'Apparel', lowStockThreshold: 3 },
  { slug: 'canvas-tote', sku: 'DEMO-BAG-TOTE', name: 'Canvas Tote Bag', description: 'Sturdy 12 oz canvas, fits a laptop.', price: '390.00', stock: 60, category: 'Bags', lowStockThreshold: 5 },
  { slug: 'leather-sling', sku: 'DEMO-BAG-SLING', name: 'Leather Sling Bag', description: 'Full-grain leather, adjustable strap.', price: '1450.00', stock: 12, category: 'Bags', lowStockThreshold: 3 },
  { slug: 'everyday-backpack', sku: 'DEMO-BAG-PACK', name: 'Everyday Backpack', description: 'Water-resistant, 20 litres.', price: '1990.00', stock: 3, category: 'Bags', lowStockThreshold: 5 },
  { slug: 'barako-coffee', sku: 'DEMO-PAN-COFFEE', name: 'Barako Coffee Beans 500g', description: 'Strong Batangas liberica, whole beans.', price: '420.00', stock: 35, category: 'Pantry', lowStockThreshold: 5 },
  { slug: 'dried-mango', sku: 'DEMO-PAN-MANGO', name: 'Dried Mango 200g', description: 'Sweet Cebu mangoes, sun-dried.', price: '180.00', stock: 100, category: 'Pantry', lowStockThreshold: 10 },
  { slug: 'ube-halaya', sku: 'DEMO-PAN-UBE', name: 'Ube Halaya Jar', description: 'Purple yam jam, 340 g jar.', price: '260.00', stock: 30, category: 'Pantry', lowStockThreshold: 5 },
  { slug: 'bamboo-tumbler', sku: 'DEMO-HOM-TUMBLER', name: 'Bamboo Tumbler', description: 'Insulated, 500 ml, bamboo lid.', price: '350.00', stock: 45, category: 'Home', lowStockThreshold: 5 },
  { slug: 'abaca-placemats', sku: 'DEMO-HOM-ABACA', name: 'Abaca Placemats (set of 4)', description: 'Hand-woven abaca fibre.', price: '680.00', stock: 20, category: 'Home', lowStockThreshold: 4 },
  { slug: 'soy-candle', sku: 'DEMO-HOM-CANDLE', name: 'Scented Soy Candle', description: 'Sampaguita scent, 40-hour burn.', price: '320.00', stock: 28, category: 'Home', lowStockThreshold: 5 },
];

export const DEMO_PROMO = {
  code: 'WELCOME10',
  /** in the shop's CURRENCY */
  description: (currency: string) => `10% off your first order (up to ${formatMoney(200, currency)}) on ${formatMoney(500, currency)} or more`,
  discountType: 'percent' as const,
  discountValue: '10.00',
  minSpend: '500.00',
  maxDiscount: '200.00',
};

/** Province rates; '*' is the fallback for every other province. */
export const DEMO_SHIPPING_RATES = [
  { province: 'Metro Manila', fee: '100.00', freeShippingMin: '2000.00' },
  { province: 'Cavite', fee: '120.00', freeShippingMin: '2500.00' },
  { province: 'Laguna', fee: '120.00', freeShippingMin: '2500.00' },
  { province: 'Cebu', fee: '150.00', freeShippingMin: '3000.00' },
  { province: 'Davao del Sur', fee: '160.00', freeShippingMin: '3000.00' },
  { province: '*', fee: '180.00', freeShippingMin: '3000.00' },
];

// One gradient per product, in catalog order, so every card looks different.
const GRADIENTS: ReadonlyArray<[string, string]> = [
  ['#ff9a8b', '#ff6a88'], ['#f093fb', '#f5576c'], ['#4facfe', '#00f2fe'], ['#43e97b', '#38f9d7'],
  ['#a18cd1', '#6a66d9'], ['#fa709a', '#fee140'], ['#8e5b3c', '#d4a373'], ['#f6d365', '#fda085'],
  ['#7f00ff', '#e100ff'], ['#84fab0', '#2fb8a6'], ['#c79081', '#dfa579'], ['#ffd3a5', '#fd6585'],
];

// One simple white glyph per category, drawn in a 100x100 box.
const GLYPH: Record<DemoProduct['category'], string> = {
  Apparel: '<path d="M30 18 L45 12 Q50 20 55 12 L70 18 L86 34 L74 46 L68 40 L68 88 L32 88 L32 40 L26 46 L14 34 Z"/>',
  Bags: '<path d="M22 38 L78 38 L84 90 L16 90 Z"/><path d="M36 38 Q36 14 50 14 Q64 14 64 38" fill="none" stroke="#fff" stroke-width="7"/>',
  Pantry: '<rect x="26" y="30" width="48" height="60" rx="8"/><rect x="30" y="14" width="40" height="14" rx="4"/>',
  Home: '<path d="M34 20 L66 20 L62 88 L38 88 Z"/><rect x="30" y="12" width="40" height="10" rx="4"/>',
};

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** A 382x200 picture (Messenger's 1.91:1 card ratio) for one demo product, or null for an unknown slug. */
export function demoImageSvg(slug: string): string | null {
  const index = DEMO_PRODUCTS.findIndex((x) => x.slug === slug);
  const p = DEMO_PRODUCTS[index];
  if (!p) return null;
  const [from, to] = GRADIENTS[index % GRADIENTS.length]!;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="382" height="200" viewBox="0 0 382 200">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>
<rect width="382" height="200" fill="url(#g)"/>
<circle cx="320" cy="40" r="70" fill="#fff" opacity="0.12"/>
<g transform="translate(36 40) scale(1.2)" fill="#fff" opacity="0.95">${GLYPH[p.category]}</g>
<text x="180" y="92" font-family="Helvetica, Arial, sans-serif" font-size="22" font-weight="700" fill="#fff">${escapeXml(p.category)}</text>
<text x="180" y="124" font-family="Helvetica, Arial, sans-serif" font-size="15" fill="#fff" opacity="0.9">${escapeXml(p.sku)}</text>
</svg>`;
}

export function demoImageUrl(baseUrl: string, slug: string): string {
  return `${baseUrl.replace(/\/$/, '')}/simulator/images/${slug}.svg`;
}
