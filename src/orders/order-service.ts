import type { OrderService, OrderServiceDeps } from './index.js';

export function buildOrderService(_deps: OrderServiceDeps): OrderService {
  const notYet = async (): Promise<never> => {
    throw new Error('order engine: not implemented yet');
  };
  return {
    createOrder: notYet,
    confirmOrder: notYet,
    cancelOrder: notYet,
    expireOrder: notYet,
    markProcessing: notYet,
    shipOrder: notYet,
    deliverOrder: notYet,
    attachPaymentProof: notYet,
    getOrder: notYet,
    getOrderByNumber: notYet,
    listOrders: notYet,
    listProducts: notYet,
    getProduct: notYet,
    createProduct: notYet,
    updateProduct: notYet,
    adjustStock: notYet,
    listCategories: notYet,
    quoteShipping: notYet,
    validateCheckoutField: () => {
      throw new Error('order engine: not implemented yet');
    },
    reportSummary: notYet,
  };
}
