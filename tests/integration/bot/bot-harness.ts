import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { buildApp, type App } from '../../../src/app.js';
import { startFakeGraph, type FakeGraph, type RecordedMessage } from '../../../src/simulator/fake-graph.js';
import { signBody } from '../../../src/bot/signature.js';
import { testConfig } from '../../helpers/test-config.js';
import { privateDatabase } from '../../helpers/private-database.js';

/**
 * Drives the bot only the way Messenger does: signed webhook posts through app.http.inject, and taps
 * on the quick replies / buttons the bot actually sent (read back from the fake Graph API).
 */
export const APP_SECRET = 'bot-test-app-secret';
export const VERIFY_TOKEN = 'bot-test-verify-token';

export interface Harness {
  app: App;
  graph: FakeGraph;
  close(): Promise<void>;
}

export async function startHarness(opts: { adminPsids?: string[]; workers?: boolean; ownDatabase?: boolean; logger?: Logger; overrides?: Record<string, string>; graph?: FakeGraph; queuePrefix?: string; mediaExtraCa?: string } = {}): Promise<Harness> {
  const graph = opts.graph ?? (await startFakeGraph());
  // an app running workers delivers every unpublished outbox row of its database: give it its own
  // (so does a test that needs to know the whole catalog)
  const database = opts.workers || opts.ownDatabase ? await privateDatabase() : null;
  const config = testConfig({
    ...(database ? { DATABASE_URL: database.url } : {}),
    GRAPH_API_URL: graph.url,
    FB_APP_SECRET: APP_SECRET,
    FB_VERIFY_TOKEN: VERIFY_TOKEN,
    FB_PAGE_ACCESS_TOKEN: 'test-page-token',
    ADMIN_PSIDS: (opts.adminPsids ?? []).join(','),
    ...(opts.queuePrefix ? { QUEUE_PREFIX: opts.queuePrefix } : {}),
    ...opts.overrides,
  });
  const app = await buildApp(config, { workers: opts.workers ?? false, web: true, mediaExtraCa: opts.mediaExtraCa, ...(opts.logger ? { logger: opts.logger } : {}) });
  await app.start();
  return {
    app,
    graph,
    async close() {
      await app.close();
      if (!opts.graph) await graph.close();
      await database?.drop();
    },
  };
}

export const newPsid = () => `psid-${randomUUID().slice(0, 12)}`;

/** POST a body to /webhook signed like Messenger (or with the given signature header). */
export async function postWebhook(app: App, body: unknown, signature?: string | null) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = signature === undefined ? signBody(raw, APP_SECRET) : signature;
  if (sig !== null) headers['x-hub-signature-256'] = sig;
  return app.http!.inject({ method: 'POST', url: '/webhook', headers, payload: raw });
}

let clock = Date.now();
const nextTs = () => (clock += 1);

export const events = {
  text: (psid: string, text: string, mid = `mid.${randomUUID()}`) => ({ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: nextTs(), message: { mid, text } }),
  quickReply: (psid: string, title: string, payload: string) => ({
    sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: nextTs(), message: { mid: `mid.${randomUUID()}`, text: title, quick_reply: { payload } },
  }),
  postback: (psid: string, title: string, payload: string, timestamp = nextTs()) => ({
    sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp, postback: { title, payload, mid: `pb.${randomUUID()}` },
  }),
  photo: (psid: string, url: string) => ({
    sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: nextTs(), message: { mid: `mid.${randomUUID()}`, attachments: [{ type: 'image', payload: { url } }] },
  }),
};

export const pageBody = (...messaging: unknown[]) => ({ object: 'page', entry: [{ id: 'PAGE', time: Date.now(), messaging }] });

type Choice = { title: string; payload: string };

/** One Messenger user talking to the bot. */
export class Chat {
  private seen = 0;
  constructor(readonly h: Harness, readonly psid: string = newPsid()) {}

  async send(event: unknown): Promise<void> {
    const res = await postWebhook(this.h.app, pageBody(event));
    if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}: ${res.body}`);
    await this.h.app.bot!.idle();
  }
  say = (text: string) => this.send(events.text(this.psid, text));
  postback = (payload: string, title = payload) => this.send(events.postback(this.psid, title, payload));

  /** Everything the bot sent this user. */
  all(): RecordedMessage[] {
    return this.h.graph.sentTo(this.psid);
  }
  /** Messages sent since the last call (what the last turn answered). */
  replies(): RecordedMessage[] {
    const all = this.all();
    const out = all.slice(this.seen);
    this.seen = all.length;
    return out;
  }
  texts(msgs = this.all()): string[] {
    return msgs.map((m) => m.body.message?.text ?? '').filter(Boolean);
  }
  lastText(): string {
    return this.texts().at(-1) ?? '';
  }

  private choices(): Choice[] {
    for (const m of [...this.all()].reverse()) {
      const qr = m.body.message?.quick_replies;
      const els = (m.body.message?.attachment?.payload?.elements ?? []) as Array<{ buttons?: Choice[] }>;
      const buttons = els.flatMap((e) => e.buttons ?? []);
      if (qr?.length || buttons.length) return [...(qr ?? []), ...buttons];
    }
    return [];
  }
  /** The payload of the latest offered choice whose title matches. */
  find(title: RegExp): Choice {
    const c = this.choices().find((x) => title.test(x.title));
    if (!c) throw new Error(`no choice ${title} among: ${this.choices().map((x) => x.title).join(' | ')}`);
    return c;
  }
  /** Tap a quick reply the bot sent (as Messenger would deliver it). */
  async tap(title: RegExp): Promise<void> {
    const c = this.find(title);
    await this.send(events.quickReply(this.psid, c.title, c.payload));
  }
  /** Tap a quick reply of the latest message whose text matches (e.g. one admin alert among several). */
  async tapIn(text: RegExp, title: RegExp): Promise<void> {
    const msg = [...this.all()].reverse().find((m) => text.test(m.body.message?.text ?? ''));
    const c = msg?.body.message?.quick_replies?.find((q) => title.test(q.title));
    if (!c) throw new Error(`no message ${text} with a quick reply ${title}`);
    await this.send(events.quickReply(this.psid, c.title, c.payload));
  }
  /** Tap a template button (a postback) the bot sent, searching back through every card it showed. */
  async press(title: RegExp, cardTitle?: RegExp): Promise<void> {
    for (const m of [...this.all()].reverse()) {
      const els = (m.body.message?.attachment?.payload?.elements ?? []) as Array<{ title: string; buttons?: Choice[] }>;
      for (const el of els) {
        if (cardTitle && !cardTitle.test(el.title)) continue;
        const b = el.buttons?.find((x) => title.test(x.title));
        if (b) return this.send(events.postback(this.psid, b.title, b.payload));
      }
    }
    throw new Error(`no button ${title} on any card`);
  }
}
