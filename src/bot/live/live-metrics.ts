import { Counter, Gauge } from 'prom-client';
import type { Metrics } from '../../observability/metrics.js';

/** Live-sale comments that could not be handled: counted as they are dead-lettered, and the open ones read from MySQL at scrape time. */
export function createLiveMetrics(metrics: Metrics, openDeadLetters: () => Promise<number>): { deadLettered(): void } {
  const registers = [metrics.registry];
  const dead = new Counter({ name: 'quicksell_live_comment_dead_letters_total', help: 'Live-sale comments this process put in live_comment_dead_letters', registers });
  new Gauge({
    name: 'quicksell_live_comment_dead_letters',
    help: 'Live-sale comments in live_comment_dead_letters not handled yet (a bug, or an outage past TURN_OUTAGE_DEADLINE_MS)',
    registers,
    async collect() {
      const n = await openDeadLetters().catch(() => null); // MySQL down: leave the last value
      if (n !== null) this.set(n);
    },
  });
  return { deadLettered: () => dead.inc() };
}
