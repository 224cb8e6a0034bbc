/** How each payment method is named to people (receipts, summaries, admin alerts). Unknown ones show as-is. */
export const PAYMENT_LABELS: Record<string, string> = {
  cod: 'Cash on delivery',
  gcash: 'GCash',
  bank_transfer: 'Bank transfer',
};

export const paymentLabel = (method: string | null | undefined): string =>
  (method ? PAYMENT_LABELS[method] : undefined) ?? method ?? '';
