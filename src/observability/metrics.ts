import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OrderObserver } from '../orders/index.js';

/**
 * Prometheus metrics, one registry per app (tests build many apps in one process). The order engine
 * reports through `orderObserver`; the HTTP server records request durations; the jobs part plugs its
 * queue counts in with `setQueueDepthSource`, read at scrape time.
 */
export interface QueueDepth {
  queue: string;
  /** BullMQ job state: waiting, active, delayed, failed, ... */
  state: string;
  count: number;
}

export type QueueDepthSource = () => Promise<QueueDepth[]>;

export interface Metrics {
  orderObserver: OrderObserver;
  registry: Registry;
  /** Register the function that reports queue depths at each scrape (the jobs part calls this). */
  setQueueDepthSource(fn: QueueDepthSource): void;
  observeHttp(method: string, route: string, statusCode: number, seconds: number): void;
  /** Prometheus text exposition and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'quicksell_' });

  const ordersCreated = new Counter({
    name: 'quicksell_orders_created_total',
    help: 'Orders created by the engine',
    registers: [registry],
  });
  const ordersFailed = new Counter({
    name: 'quicksell_orders_failed_total',
    help: 'Order creations that failed, by result code',
    labelNames: ['code'],
    registers: [registry],
  });
  const orderDuration = new Histogram({
    name: 'quicksell_order_processing_duration_seconds',
    help: 'Time the engine took to create an order (validation to commit)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'quicksell_http_request_duration_seconds',
    help: 'HTTP request durations by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  let queueDepthSource: QueueDepthSource | null = null;
  new Gauge({
    name: 'quicksell_queue_depth',
    help: 'Jobs per queue and state, read from BullMQ at scrape time',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      if (!queueDepthSource) return;
      this.reset();
      // A Redis outage must not break the whole scrape: the depths are then simply absent.
      const depths = await queueDepthSource().catch(() => []);
      for (const d of depths) this.set({ queue: d.queue, state: d.state }, d.count);
    },
  });

  return {
    registry,
    orderObserver: {
      orderCreated(durationMs) {
        ordersCreated.inc();
        orderDuration.observe(durationMs / 1000);
      },
      orderFailed(code) {
        ordersFailed.inc({ code });
      },
    },
    setQueueDepthSource(fn) {
      queueDepthSource = fn;
    },
    observeHttp(method, route, statusCode, seconds) {
      httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
