import { Counter, Gauge } from 'prom-client';
import type { Metrics } from '../observability/metrics.js';
import type { TurnObserver } from './turn-runner.js';

/** The turn runner's counters, and the dead-letter list's length read from Redis at scrape time. */
export function createTurnMetrics(metrics: Metrics, deadLetterCount: () => Promise<number>): TurnObserver {
  const registers = [metrics.registry];
  const retries = new Counter({ name: 'quicksell_bot_turn_retries_total', help: 'Chat turns that failed on an outage and were kept for another try', registers });
  const dead = new Counter({ name: 'quicksell_bot_dead_letters_total', help: 'Chat events moved to the dead-letter list by this process', registers });
  const overruns = new Counter({ name: 'quicksell_bot_turn_overruns_total', help: 'Chat turns that ran past TURN_TIMEOUT_MS (the user stayed locked until they ended)', registers });
  new Gauge({
    name: 'quicksell_bot_dead_letters',
    help: 'Chat events in the dead-letter list (given up after an outage longer than TURN_OUTAGE_DEADLINE_MS)',
    registers,
    async collect() {
      const n = await deadLetterCount().catch(() => null); // Redis down: leave the last value
      if (n !== null) this.set(n);
    },
  });
  return { retried: () => retries.inc(), deadLettered: () => dead.inc(), overran: () => overruns.inc() };
}
