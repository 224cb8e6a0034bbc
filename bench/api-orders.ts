/** The request body bench:api sends (and its server's in-process engine loop parses): one line, a random buyer and product. */
export function orderBody(productIds: number[], userIds: number[]): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)] as T;
  return JSON.stringify({
    user_id: pick(userIds),
    items: [{ product_id: pick(productIds), quantity: 1 + Math.floor(Math.random() * 3) }],
    payment_method: 'cod',
    shipping_address: {
      recipient_name: 'Bench Buyer',
      phone: '09171234567',
      address: '123 Bench Street, Brgy. Test',
      city: 'Manila',
      province: 'Metro Manila',
      postal_code: '1000',
    },
  });
}
