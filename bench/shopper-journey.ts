/**
 * bench:webhook's realistic turns: a shopper's journey driven over HTTP like Messenger would (signed
 * webhook posts), reading the bot's replies from the fake Graph API and tapping only what the bot offered:
 * Shop → category → Add to cart → quantity → View cart → Checkout → the address answers → payment →
 * no promo → Place order. Each step's tap→reply time runs from the post to the LAST message of the
 * bot's answer to it (the turn's message count is learned once by a calibration shopper).
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { FakeGraph, RecordedMessage } from '../src/simulator/fake-graph.js';
import { signBody } from '../src/bot/signature.js';

type Choice = { title: string; payload: string };
export type Step = { say: string } | { tap: RegExp } | { press: RegExp } | { postback: string };

export const JOURNEY: Step[] = [
  { postback: 'SHOP' },
  { tap: /^Bench/ },
  { press: /Add to cart/ },
  { tap: /^1$/ },
  { tap: /View cart/ },
  { tap: /Checkout/ },
  { say: 'Juan Dela Cruz' },
  { say: '09171234567' },
  { say: '123 Rizal St, Brgy. Uno' },
  { say: 'Manila' },
  { tap: /Metro Manila/ },
  { say: '1000' },
  { tap: /Cash on delivery/ },
  { tap: /No promo code/ },
  { tap: /Place order/ },
];

/** Replies per PSID as they arrive, and waiters for a count of them. */
export class Inboxes {
  private readonly byPsid = new Map<string, RecordedMessage[]>();
  private readonly waiters = new Map<string, { count: number; resolve(): void }>();
  constructor(graph: FakeGraph, only: (psid: string) => boolean) {
    graph.events.on('message', (m: RecordedMessage) => {
      const psid = m.psid;
      if (!only(psid)) return;
      const list = this.byPsid.get(psid) ?? [];
      list.push(m);
      this.byPsid.set(psid, list);
      const w = this.waiters.get(psid);
      if (w && list.length >= w.count) {
        this.waiters.delete(psid);
        w.resolve();
      }
    });
  }
  of(psid: string): RecordedMessage[] {
    return this.byPsid.get(psid) ?? [];
  }
  /** resolves once `psid` has received `count` messages in all */
  until(psid: string, count: number, timeoutMs = 60_000): Promise<void> {
    if (this.of(psid).length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${psid}: no reply within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(psid, { count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
  forget(psid: string): void {
    this.byPsid.delete(psid);
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POST one signed event to the webhook; resolves on its 200. */
export function postEvent(url: string, secret: string, event: unknown): Promise<void> {
  const body = JSON.stringify({ object: 'page', entry: [{ id: 'PAGE', time: Date.now(), messaging: [event] }] });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, secret) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`webhook answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function choices(msgs: RecordedMessage[]): Choice[] {
  for (const m of [...msgs].reverse()) {
    const qr = m.body.message?.quick_replies as Choice[] | undefined;
    const els = (m.body.message?.attachment?.payload?.elements ?? []) as Array<{ buttons?: Choice[] }>;
    const buttons = els.flatMap((e) => e.buttons ?? []);
    if (qr?.length || buttons.length) return [...(qr ?? []), ...buttons];
  }
  return [];
}

/** The Messenger event for a step, from what the bot offered this shopper so far. */
export function eventFor(psid: string, step: Step, msgs: RecordedMessage[]): unknown {
  const base = { sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: Date.now() };
  if ('say' in step) return { ...base, message: { mid: `mid.${randomUUID()}`, text: step.say } };
  if ('postback' in step) return { ...base, postback: { title: step.postback, payload: step.postback, mid: `pb.${randomUUID()}` } };
  const wanted = 'tap' in step ? step.tap : step.press;
  const c = choices(msgs).find((x) => wanted.test(x.title));
  if (!c) throw new Error(`${psid}: no choice ${wanted} among ${choices(msgs).map((x) => x.title).join(' | ')}; last: ${lastWords(msgs)}`);
  if ('tap' in step) return { ...base, message: { mid: `mid.${randomUUID()}`, text: c.title, quick_reply: { payload: c.payload } } };
  return { ...base, postback: { title: c.title, payload: c.payload, mid: `pb.${randomUUID()}` } };
}

/**
 * One shopper through the journey; `perStep[i]` messages are expected in answer to step i. `pace` is
 * awaited before each tap (the half-capacity run's rate limit). Returns each step's tap→reply ms.
 */
export async function walk(opts: { url: string; secret: string; inbox: Inboxes; psid: string; perStep: number[]; pace?: () => Promise<void>; times?: number[] }): Promise<number[]> {
  const { url, secret, inbox, psid, perStep } = opts;
  // filled as the shopper goes, so a caller that stops it early keeps the taps answered so far
  const times: number[] = opts.times ?? [];
  let expected = 0;
  for (const [i, step] of JOURNEY.entries()) {
    await opts.pace?.();
    const event = eventFor(psid, step, inbox.of(psid));
    const t = performance.now();
    expected += perStep[i]!;
    await postEvent(url, secret, event);
    await inbox.until(psid, expected);
    times.push(performance.now() - t);
  }
  inbox.forget(psid);
  return times;
}

/** The calibration shopper: each step's message count, waiting for the answers to settle (quiet for 400 ms). */
export async function calibrate(url: string, secret: string, inbox: Inboxes): Promise<number[]> {
  const psid = `bench-calibrate-${randomUUID().slice(0, 8)}`;
  const perStep: number[] = [];
  for (const step of JOURNEY) {
    const before = inbox.of(psid).length;
    await postEvent(url, secret, eventFor(psid, step, inbox.of(psid)));
    let seen = -1;
    for (let waited = 0; (seen !== inbox.of(psid).length || seen === before) && waited < 20; waited++) {
      seen = inbox.of(psid).length;
      await new Promise((r) => setTimeout(r, 400));
    }
    if (seen === before) throw new Error(`calibration: no answer to step ${perStep.length + 1} (${describe(step)}) after: ${lastWords(inbox.of(psid))}`);
    perStep.push(seen - before);
  }
  inbox.forget(psid);
  return perStep;
}

export const describe = (step: Step) => Object.entries(step).map(([k, v]) => `${k} ${String(v)}`).join('');
const lastWords = (msgs: RecordedMessage[]) => JSON.stringify(msgs.at(-1)?.body.message ?? null).slice(0, 400);
