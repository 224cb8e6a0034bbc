import { randomUUID } from 'node:crypto';
import { signBody } from '../../src/bot/signature.js';
import type { Arrival, ChaosGraph } from './chaos-graph.js';

/**
 * Simulated Messenger users. Every event is a signed webhook POST, sent round-robin to the web processes
 * (on a refused connection or a 5xx it goes to the next one, as Messenger redelivers); every tap uses a
 * quick reply or button the bot really sent, read back from the chaos Graph. A customer never repeats a
 * tap: a reply that does not come within the step's time leaves the customer "stuck" at that step.
 */
type Choice = { title: string; payload: string };
export type Outcome = 'ordered' | 'refused' | 'stuck';

export interface CustomerResult {
  psid: string;
  outcome: Outcome;
  step: string;
  orderNumber?: string;
}

export interface LoadStats {
  eventsPosted: number;
  eventsAccepted: number;
  postRetries: number;
  /** ms from a POST to the first message the bot delivered to that user after it */
  replyLatencies: number[];
}

export class WebhookClient {
  private next = 0;
  readonly stats: LoadStats = { eventsPosted: 0, eventsAccepted: 0, postRetries: 0, replyLatencies: [] };
  /** when each user's events were first posted (epoch ms), to tell a re-sent reply from an answer to a new event */
  readonly postedAt = new Map<string, number[]>();
  constructor(
    private readonly webUrls: () => string[],
    private readonly appSecret: string,
  ) {}

  /** POST one event; on a refused connection or a 5xx, try the next web process (bounded). */
  async post(event: unknown): Promise<void> {
    const body = JSON.stringify({ object: 'page', entry: [{ id: 'PAGE', time: Date.now(), messaging: [event] }] });
    const headers = { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, this.appSecret) };
    this.stats.eventsPosted += 1;
    const psid = (event as { sender?: { id?: string } }).sender?.id ?? '';
    this.postedAt.set(psid, [...(this.postedAt.get(psid) ?? []), Date.now()]);
    for (let attempt = 0; attempt < 60; attempt++) {
      const urls = this.webUrls();
      const url = urls[this.next++ % urls.length]!;
      try {
        const res = await fetch(`${url}/webhook`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.status === 200) {
          this.stats.eventsAccepted += 1;
          return;
        }
      } catch {
        // refused or reset: that process is down; Messenger would redeliver
      }
      this.stats.postRetries += 1;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('webhook: no web process accepted the event in 60 tries');
  }
}

let clock = Date.now();
const ts = () => (clock = Math.max(clock + 1, Date.now()));
export const chatEvents = {
  text: (psid: string, text: string) => ({ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: ts(), message: { mid: `mid.${randomUUID()}`, text } }),
  quickReply: (psid: string, c: Choice) => ({
    sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: ts(), message: { mid: `mid.${randomUUID()}`, text: c.title, quick_replies: undefined, quick_reply: { payload: c.payload } },
  }),
  postback: (psid: string, c: Choice) => ({ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: ts(), postback: { title: c.title, payload: c.payload, mid: `pb.${randomUUID()}` } }),
};

export function choicesOf(a: Arrival): { quick: Choice[]; buttons: Array<Choice & { card: string }> } {
  const quick = (a.message.quick_replies ?? []).map((q) => ({ title: q.title, payload: q.payload }));
  const els = (a.message.attachment?.payload?.elements ?? []) as Array<{ title: string; buttons?: Choice[] }>;
  return { quick, buttons: els.flatMap((e) => (e.buttons ?? []).map((b) => ({ ...b, card: e.title }))) };
}

export const RECEIPT = /^✅ Order (\S+) received!/;
const REFUSAL = /sold out|out of stock|not enough|only \d+ left|no longer|unavailable|couldn't|could not|Sorry/i;

export interface Wait {
  /** true when what the customer waits for has arrived */
  done(msgs: Arrival[]): boolean;
  timeoutMs: number;
}

/** One user: acts, then waits for the bot's messages since that act. */
export class ChatUser {
  constructor(
    readonly psid: string,
    private readonly graph: ChaosGraph,
    private readonly client: WebhookClient,
    /** no wait goes past this time (epoch ms): the run is bounded */
    private readonly hardStop = Infinity,
  ) {}

  async act(event: unknown, wait: Wait): Promise<Arrival[] | null> {
    if (Date.now() >= this.hardStop) return null;
    const from = this.graph.deliveredTo(this.psid).length;
    const sentAt = Date.now();
    let firstSeen = false;
    const since = () => this.graph.deliveredTo(this.psid).slice(from);
    return new Promise((resolve, reject) => {
      const finish = (v: Arrival[] | null) => {
        clearTimeout(timer);
        this.graph.events.off('delivered', onDelivered);
        resolve(v);
      };
      const onDelivered = (a: Arrival) => {
        if (a.psid !== this.psid) return;
        if (!firstSeen) {
          firstSeen = true;
          this.client.stats.replyLatencies.push(a.at - sentAt);
        }
        const msgs = since();
        if (wait.done(msgs)) finish(msgs);
      };
      const timer = setTimeout(() => finish(null), Math.max(0, Math.min(wait.timeoutMs, this.hardStop - Date.now())));
      this.graph.events.on('delivered', onDelivered);
      this.client.post(event).catch((err) => {
        clearTimeout(timer);
        this.graph.events.off('delivered', onDelivered);
        reject(err);
      });
    });
  }

  say = (text: string, wait: Wait) => this.act(chatEvents.text(this.psid, text), wait);
  tap = (c: Choice, wait: Wait) => this.act(chatEvents.quickReply(this.psid, c), wait);
  press = (c: Choice, wait: Wait) => this.act(chatEvents.postback(this.psid, c), wait);
}

const STEP_MS = 45_000;
const quick = (msgs: Arrival[], re: RegExp) => msgs.flatMap((a) => choicesOf(a).quick).find((c) => re.test(c.title));
const hasText = (msgs: Arrival[], re: RegExp) => msgs.some((a) => re.test(a.message.text ?? ''));
const untilChoice = (re: RegExp, timeoutMs = STEP_MS): Wait => ({
  done: (m) => Boolean(quick(m, re)) || m.some((a) => !choicesOf(a).quick.length && REFUSAL.test(a.message.text ?? '')),
  timeoutMs,
});
const untilText = (re: RegExp): Wait => ({ done: (m) => hasText(m, re), timeoutMs: STEP_MS });

/** Search a product by name, add one, check out with a new address, cash on delivery, no promo, place. */
export async function shopperJourney(user: ChatUser, productName: string, receiptWaitMs: number): Promise<CustomerResult> {
  const r = (outcome: Outcome, step: string, orderNumber?: string): CustomerResult => ({ psid: user.psid, outcome, step, orderNumber });
  // the answer is "Here's what I found…" then the cards (or a "couldn't find" text with the menu)
  let msgs = await user.say(productName, { done: (m) => m.some((a) => a.message.attachment || choicesOf(a).quick.length), timeoutMs: STEP_MS });
  if (!msgs) return r('stuck', 'search');
  const add = msgs.flatMap((a) => choicesOf(a).buttons).find((b) => /Add to cart/.test(b.title) && b.card.startsWith(productName));
  if (!add) return r('refused', 'search: no Add to cart');
  msgs = await user.press(add, untilChoice(/^1$/));
  const one = msgs && quick(msgs, /^1$/);
  if (!one) return r(msgs ? 'refused' : 'stuck', 'add to cart');
  msgs = await user.tap(one, untilChoice(/Checkout/));
  const checkout = msgs && quick(msgs, /Checkout/);
  if (!checkout) return r(msgs ? 'refused' : 'stuck', 'quantity');
  const answers: Array<[string, RegExp]> = [
    ['', /Who should we deliver to/],
    ['Juan Dela Cruz', /Mobile number/],
    ['09171234567', /House\/unit no/],
    ['123 Rizal St, Brgy. Uno', /City or municipality/],
  ];
  if (!(await user.tap(checkout, untilText(answers[0]![1])))) return r('stuck', 'checkout');
  for (let i = 1; i < answers.length; i++) {
    if (!(await user.say(answers[i]![0], untilText(answers[i]![1])))) return r('stuck', `answer ${i}`);
  }
  msgs = await user.say('Manila', untilChoice(/Metro Manila/));
  const province = msgs && quick(msgs, /Metro Manila/);
  if (!province) return r('stuck', 'city');
  if (!(await user.tap(province, untilText(/Postal code/)))) return r('stuck', 'province');
  msgs = await user.say('1000', untilChoice(/Cash on delivery/));
  const cod = msgs && quick(msgs, /Cash on delivery/);
  if (!cod) return r('stuck', 'postal code');
  msgs = await user.tap(cod, untilChoice(/No promo code/));
  const noPromo = msgs && quick(msgs, /No promo code/);
  if (!noPromo) return r('stuck', 'payment');
  msgs = await user.tap(noPromo, untilChoice(/Place order/));
  const place = msgs && quick(msgs, /Place order/);
  if (!place) return r('stuck', 'promo');
  msgs = await user.tap(place, {
    done: (m) => hasText(m, RECEIPT) || m.some((a) => choicesOf(a).quick.some((c) => /Cart|Edit|My orders/.test(c.title)) && !RECEIPT.test(a.message.text ?? '')),
    timeoutMs: receiptWaitMs,
  });
  if (!msgs) return r('stuck', 'place order');
  const receipt = msgs.map((a) => RECEIPT.exec(a.message.text ?? '')).find(Boolean);
  return receipt ? r('ordered', 'done', receipt[1]) : r('refused', 'place order');
}
