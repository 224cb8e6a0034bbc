/**
 * npm run bench:webhook — Messenger's side of the bot, against a server in a process of its own
 * (bench/webhook-server.ts: the whole app, workers off). The fake Graph API runs here, in the driver, as
 * Graph would run elsewhere. In one run:
 *  1. ack path: signed webhook posts (one text event each, 200 users) sent by autocannon as fast as the
 *     server takes them, against the ceiling: a bare Fastify route doing the same minimal durable
 *     hand-off (one Redis write per event), same process, same run. Target ≥ 0.5×.
 *  2. simple turns: the events accepted in (1) ("help") are drained; the drain rate is the replies over
 *     the time from the first post to the last reply. Target ≥ 1,000 turns/s.
 *  3. realistic turns: BENCH_SHOPPERS (200) shoppers at once walk Shop → category → add → quantity →
 *     cart → checkout answers → place order (bench/shopper-journey.ts), each tapping as soon as the
 *     answer is there: turns/s and tap→reply p50/p99.
 *  4. the same journey at half the capacity measured in (3): shoppers arrive one after another and tap
 *     with a think time, so the taps come at half the rate of (3) with shoppers spread over the journey's
 *     steps: tap→reply p50/p99, target p99 < 100 ms.
 * BENCH_SECONDS (default 5), BENCH_CONNECTIONS (50), BENCH_SHOPPERS (200), BENCH_JOURNEY_SECONDS (20, each
 * journey phase), BENCH_DRAIN_SECONDS (60), BENCH_WARMUP_EVENTS (2000: posts to each route, unmeasured, and
 * their turns drained, before (1));
 * BENCH_CPU_PROF=<dir> writes a CPU profile of the server process there.
 * BENCH_TURN_PROCESS=worker: the server acks only (TURN_PROCESS=worker) and a second process runs the turns
 * (ROLE=worker), as in that deployment (docs/operations.md); the bare route stays in the acking process.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { signBody } from '../src/bot/signature.js';
import { startFakeGraph } from '../src/simulator/fake-graph.js';
import { cpuMeter, roundTripMeter, formatGc, formatRss, next, type GcFigures, quantile, serverPids, reportSummary, type RssFigures } from './bench-support.js';
import { calibrate, describe, Inboxes, JOURNEY, walk } from './shopper-journey.js';
import { calibrate as calibrateMachine, formatCalibration } from './calibration.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SHOPPERS = Number(process.env.BENCH_SHOPPERS ?? 200);
/** each journey phase stops taking new taps after this long (shoppers still on their way just stop) */
const JOURNEY_SECONDS = Number(process.env.BENCH_JOURNEY_SECONDS ?? 20);
const USERS = 200;
/**
 * Posts to each route before anything is measured (their turns drained too): a server starts cold (code not
 * yet compiled, pools not yet open), and a 3 s run (npm run bench) counted that in every figure. Round 10
 * measured it: a 3 s run read ~1.3-1.5x the server CPU per simple turn of a 10 s run on the same machine.
 */
const WARMUP_EVENTS = Number(process.env.BENCH_WARMUP_EVENTS ?? 2000);
const SECRET = `bench-${randomUUID()}`;

let n = 0;
/** One Messenger text event from one of 200 users, with a fresh message id, and its signature. */
function signedEvent(): { body: string; signature: string } {
  n += 1;
  const event = { sender: { id: `bench-user-${n % USERS}` }, recipient: { id: 'PAGE' }, timestamp: Date.now(), message: { mid: `m.${n}.${randomUUID()}`, text: 'help' } };
  const body = JSON.stringify({ object: 'page', entry: [{ id: 'PAGE', time: Date.now(), messaging: [event] }] });
  return { body, signature: signBody(body, SECRET) };
}

/** autocannon on `url` for BENCH_SECONDS, or for `amount` posts */
function run(url: string, amount?: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    ...(amount ? { amount } : { duration: SECONDS }),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const { body, signature } = signedEvent();
          return { ...req, body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } };
        },
      },
    ],
  });
}

function line(label: string, r: autocannon.Result): string {
  return `${label.padEnd(26)} ${r.requests.average.toFixed(0).padStart(6)} events/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   2xx ${r['2xx']}   non-2xx ${r.non2xx}   errors ${r.errors + r.timeouts}`;
}


class TimeUp extends Error {}

/** This process's CPU use over a phase, as a share of one core: when near 100 %, the load generator is the limit. */
function driverLoad(): () => string {
  const [cpu, t] = [process.cpuUsage(), performance.now()];
  return () => {
    const used = process.cpuUsage(cpu);
    return `${(((used.user + used.system) / 1000 / (performance.now() - t)) * 100).toFixed(0)} % of a core`;
  };
}

/**
 * How the half-capacity phase loads the server: shoppers ARRIVE one after another (JOURNEY.length / rate s
 * apart) and each taps THINK_MS after its previous tap (or at once when the answer came later), so at steady
 * state the taps come at `rate` per second with shoppers spread over every step of the journey, as a shop's
 * evening traffic is. The earlier model, one global queue of tap slots shared by shoppers who all started
 * together, moved them in lock-step: every shopper reached "Place order" within ~1.3 s, a burst of 200
 * orders (and 600 notification jobs) at 12× the journey's order rate, so the phase measured a flash sale's
 * receipt backlog (p50 3.3 s on that step), not half the capacity.
 */
const THINK_MS = 500;

/**
 * Shoppers through the journey (for at most BENCH_JOURNEY_SECONDS, or as long as the paced arrivals need).
 * Without `rate`: every shopper at once, each tapping as soon as the answer is there (full load). With
 * `rate` (taps/s over all shoppers): arrivals and think time as above.
 */
async function journeys(url: string, inbox: Inboxes, perStep: number[], rate?: number) {
  const arrivalMs = rate ? (JOURNEY.length / rate) * 1000 : 0;
  const phaseMs = rate ? Math.max(JOURNEY_SECONDS * 1000, SHOPPERS * arrivalMs + JOURNEY.length * THINK_MS + 2000) : JOURNEY_SECONDS * 1000;
  const phaseStart = performance.now();
  const deadline = phaseStart + phaseMs;
  const tappedAt: number[] = [];
  const paceFor = (shopper: number) => {
    let nextTap = phaseStart + shopper * arrivalMs;
    return async () => {
      if (rate) {
        const wait = nextTap - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        nextTap = Math.max(nextTap, performance.now()) + THINK_MS;
      }
      if (performance.now() > deadline) throw new TimeUp();
      tappedAt.push(performance.now());
    };
  };
  const start = performance.now();
  let stuck = 0;
  const shopperTimes: number[][] = [];
  const times = await Promise.all(
    Array.from({ length: SHOPPERS }, (_, i) =>
      walk({ url, secret: SECRET, inbox, psid: `shopper-${i}-${randomUUID().slice(0, 8)}`, perStep, pace: paceFor(i), times: (shopperTimes[i] = []) }).catch((err: Error) => {
        // time is up: the taps answered so far count; an answer that never came (or came otherwise) is counted
        if (!(err instanceof TimeUp) && stuck++ === 0) console.log(`  a shopper stopped: ${err.message}`);
        return shopperTimes[i]!;
      }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  const all = times.flat().sort((a, b) => a - b);
  const steps = JOURNEY.map((_, i) => times.filter((t) => t.length > i).map((t) => t[i]!).sort((a, b) => a - b));
  const slowest = steps.map((s, i) => ({ i, p99: quantile(s, 0.99), p50: quantile(s, 0.5) })).sort((a, b) => b.p99 - a.p99)[0]!;
  console.log(`  slowest step: ${slowest.i + 1} (${describe(JOURNEY[slowest.i]!)}) p50 ${slowest.p50.toFixed(0)} ms, p99 ${slowest.p99.toFixed(0)} ms`);
  // a new shopper's first reply: what they wait for before they know the shop answers at all
  console.log(`  first tap (${describe(JOURNEY[0]!)}): p50 ${quantile(steps[0]!, 0.5).toFixed(0)} ms, p99 ${quantile(steps[0]!, 0.99).toFixed(0)} ms`);
  // the paced phase's steady state: from the first arrival's last tap to the last arrival (ramps left out)
  const [from, to] = [phaseStart + JOURNEY.length * THINK_MS, phaseStart + (SHOPPERS - 1) * arrivalMs];
  const steadyRate = rate && to > from ? tappedAt.filter((t) => t >= from && t < to).length / ((to - from) / 1000) : null;
  return { turnsPerSecond: all.length / seconds, steadyRate, p50: quantile(all, 0.5), p99: quantile(all, 0.99), turns: all.length, stuck };
}

async function main(): Promise<void> {
  const calibration = await calibrateMachine();
  console.log(formatCalibration(calibration));
  const graph = await startFakeGraph({ keep: 100 });
  let replies = 0;
  let lastReplyAt = 0;
  graph.events.on('message', () => {
    replies += 1;
    lastReplyAt = performance.now();
  });
  const inbox = new Inboxes(graph, (psid) => psid.startsWith('shopper-') || psid.startsWith('bench-calibrate-'));
  const child = fork(fileURLToPath(new URL('./webhook-server.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [])],
    env: { ...process.env, BENCH_APP_SECRET: SECRET, BENCH_GRAPH_URL: graph.url },
  });
  let turnsPidOf: number | null = null;
  try {
    const { webhook, bare, turnsPid } = await next<{ webhook: string; bare: string; turnsPid: number | null }>(child, 'ready');
    turnsPidOf = turnsPid;
    const where = turnsPid ? `turns in their own process (TURN_PROCESS=worker), pid ${turnsPid}` : 'turns in the server process (TURN_PROCESS=web)';
    console.log(`bench:webhook — ${SECONDS} s each, ${CONNECTIONS} connections, ${USERS} users for simple turns, ${SHOPPERS} shoppers for the journey; server pid ${child.pid}, ${where}; driver + fake Graph pid ${process.pid}`);
    if (WARMUP_EVENTS > 0) {
      await run(bare, WARMUP_EVENTS);
      await run(webhook, WARMUP_EVENTS);
      child.send({ cmd: 'drain' });
      await next(child, 'drained');
    }
    child.send({ cmd: 'rss-start' });
    // split: the turn process is paused while the ceiling and the acks are measured (as it would be on cores
    // of its own: this machine has 2), then drains the backlog alone; a later run measures both at once
    if (turnsPid) process.kill(turnsPid, 'SIGSTOP');
    const bareCpu = cpuMeter({ server: child.pid! });
    const driverBare = driverLoad();
    const ceiling = await run(bare);
    const driverBareLine = driverBare();
    const bareCpuLine = bareCpu(ceiling['2xx']);
    const repliesBefore = replies;
    const servers = { server: child.pid!, ...(turnsPid ? { turns: turnsPid } : {}), ...serverPids() };
    const simpleCpu = cpuMeter(servers);
    const ackCpu = cpuMeter({ server: child.pid! });
    const simpleTrips = roundTripMeter();
    const hookStart = performance.now();
    const driverHook = driverLoad();
    const hook = await run(webhook);
    const driverHookLine = driverHook();
    const ackCpuLine = ackCpu(hook['2xx']);
    const drainFrom = turnsPid ? performance.now() : hookStart;
    if (turnsPid) process.kill(turnsPid, 'SIGCONT');
    child.send({ cmd: 'drain' });
    const d = await next<{ backlog: number; drainMs: number; left: number }>(child, 'drained');
    const simpleReplies = replies - repliesBefore;
    const simpleCpuLine = simpleCpu(hook['2xx']);
    const simpleTripsLine = simpleTrips(hook['2xx']);
    const drainRate = hook['2xx'] / ((lastReplyAt - drainFrom) / 1000);
    const ackRatio = hook.requests.average / ceiling.requests.average;
    console.log(line('bare Fastify + Redis write', ceiling));
    console.log(line('POST /webhook', hook));
    console.log(`ack ratio webhook/bare: ${ackRatio.toFixed(2)} (target >= 0.5); p99 ${hook.latency.p99} ms vs ${ceiling.latency.p99} ms${turnsPid ? ' (ack-only process; the turn process paused meanwhile)' : ' (turns running in the same process meanwhile)'}`);
    console.log(
      `simple turns: ${hook['2xx']} accepted, ${simpleReplies} answered; backlog ${d.backlog} when the posts stopped, drained in ${(d.drainMs / 1000).toFixed(1)} s ` +
        `→ ${drainRate.toFixed(0)} turns/s (accepted events over the time from ${turnsPid ? 'the turn process resuming' : 'the first post'} to the last reply) (target >= 1,000); left undrained ${d.left}`,
    );
    console.log(`  CPU of the server process per request, bare route: ${bareCpuLine}`);
    console.log(`  driver process (autocannon + the fake Graph receiving the replies) busy: bare route ${driverBareLine}, POST /webhook ${driverHookLine}`);
    console.log(`  CPU of the server process per accepted event while the posts ran: ${ackCpuLine}${turnsPid ? ' (acks only)' : ' (acks, and the turns it ran meanwhile)'}`);
    console.log(`  CPU per simple turn (ack + turn): ${simpleCpuLine} (database and Redis count whatever else runs on the machine)`);
    console.log(`  per simple turn: ${simpleTripsLine}`);
    if (turnsPid) {
      // the same posts with the turn process draining meanwhile, on the same 2 cores (what one machine gives)
      const mixed = await run(webhook);
      child.send({ cmd: 'drain' });
      await next(child, 'drained');
      console.log(`${line('POST /webhook, turns live', mixed)}; ratio to the bare route ${(mixed.requests.average / ceiling.requests.average).toFixed(2)} (info: the turn process shares the cores)`);
    }
    const perStep = await calibrate(webhook, SECRET, inbox);
    const journeyCpu = cpuMeter(servers);
    const journeyTrips = roundTripMeter();
    const full = await journeys(webhook, inbox, perStep);
    console.log(`  CPU per journey turn: ${journeyCpu(full.turns)}; ${journeyTrips(full.turns)}`);
    console.log(`journey (${JOURNEY.length} taps, ${perStep.reduce((a, b) => a + b, 0)} replies each), ${SHOPPERS} shoppers at once: ${full.turnsPerSecond.toFixed(0)} turns/s, tap→reply p50 ${full.p50.toFixed(1)} ms, p99 ${full.p99.toFixed(1)} ms; shoppers stopped ${full.stuck}`);
    const halfRate = full.turnsPerSecond / 2;
    const half = await journeys(webhook, inbox, perStep, halfRate);
    console.log(`journey at half capacity (${halfRate.toFixed(0)} taps/s offered, ${half.steadyRate?.toFixed(0) ?? '?'} taps/s at steady state, ${THINK_MS} ms think time): ${half.turnsPerSecond.toFixed(0)} turns/s over the phase with its ramps, tap→reply p50 ${half.p50.toFixed(1)} ms, p99 ${half.p99.toFixed(1)} ms (target p99 < 100 ms); shoppers stopped ${half.stuck}`);
    child.send({ cmd: 'rss-stop' });
    const { gc, ...rss } = await next<RssFigures & { gc: GcFigures }>(child, 'rss');
    console.log(`server process ${formatRss(rss)}; ${formatGc(gc)} (from the first post to here)`);
    reportSummary(
      [
        { bench: 'webhook', figure: `POST /webhook events/s vs bare route + Redis write${turnsPid ? ' (ack-only process, turns paused)' : ''}`, value: hook.requests.average, ceiling: ceiling.requests.average, ratio: ackRatio, target: '>= 0.5', met: ackRatio >= 0.5 },
        { bench: 'webhook', figure: `simple turns drained, turns/s${turnsPid ? ' (turn process alone)' : ''}`, value: drainRate, ceiling: null, ratio: null, target: '>= 1,000', met: drainRate >= 1000 },
        { bench: 'webhook', figure: `journey turns/s, ${SHOPPERS} shoppers`, value: full.turnsPerSecond, ceiling: null, ratio: null, target: '(info)', met: true },
        { bench: 'webhook', figure: 'journey tap→reply p50 / p99 ms, full load', value: full.p99, ceiling: null, ratio: null, target: `(info; p50 ${full.p50.toFixed(0)})`, met: true },
        { bench: 'webhook', figure: 'journey tap→reply p99 ms, half capacity', value: half.p99, ceiling: null, ratio: null, target: '< 100 ms', met: half.p99 < 100 && half.stuck === 0 },
      ],
      rss,
      calibration,
    );
  } finally {
    if (turnsPidOf) process.kill(turnsPidOf, 'SIGCONT');
    child.send({ cmd: 'close' });
    await new Promise((r) => child.once('exit', r));
    await graph.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
