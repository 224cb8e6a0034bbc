import { createServer, type IncomingMessage, type Server } from 'node:http';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { LiveVideo, SendRequest } from '../bot/send-api.js';
import { memoryLiveVideos, newLiveVideo, type LiveVideoStore } from './live-video-store.js';

/**
 * A local stand-in for Facebook's Graph API: records every Send API call, answers like Graph
 * (`{ recipient_id, message_id }`), and can be told to fail the next calls with a Graph error.
 * Tests use it to read what the bot sent; the simulator uses it to push messages to its page.
 */
export interface RecordedMessage {
  seq: number;
  at: number;
  body: SendRequest;
  message_id: string;
  /** who got it: recipient.id, or for a Private Reply the commenter's PSID (see registerComment) */
  psid: string;
}

/** A Handover Protocol call (pass_thread_control / take_thread_control). */
export interface RecordedHandover {
  action: 'pass_thread_control' | 'take_thread_control';
  body: { recipient?: { id?: string }; target_app_id?: string | number; metadata?: string };
}

export interface ScriptedFailure {
  status: number;
  error?: { message: string; type?: string; code: number; error_subcode?: number };
  /** Close the socket without answering (a network failure). */
  drop?: boolean;
}

export interface FakeGraph {
  url: string;
  messages: RecordedMessage[];
  profiles: Record<string, unknown>[];
  handovers: RecordedHandover[];
  /** Custom User Settings calls (per-user persistent menus), in order */
  userSettings: Record<string, unknown>[];
  events: EventEmitter;
  /** Who wrote a Page comment: a Private Reply to it answers with this PSID (else one derived from the id). */
  registerComment(commentId: string, psid: string): void;
  /** The Page's live videos, which GET /me/live_videos lists (newest first): in memory, or the store it was given. */
  lives: LiveVideoStore;
  /**
   * The Page goes live: GET /me/live_videos?broadcast_status=["LIVE"] lists it (newest first) until it ends.
   * These three work on the in-memory list only; a fake Graph given a shared store throws (use `lives`).
   */
  startLiveVideo(opts?: { title?: string; pageId?: string }): LiveVideo;
  endLiveVideo(id: string): void;
  liveVideos(): LiveVideo[];
  /** Answer the next `times` Send API calls with this failure. */
  failNext(failure: ScriptedFailure, times?: number): void;
  /** Answer every Send API call whose raw body the rule picks with its failure (null: none), until cleared with null. */
  failWhere(rule: ((body: string) => ScriptedFailure | null) | null): void;
  /** Answer the next `times` Handover Protocol calls (pass/take_thread_control) with this failure. */
  failNextHandover(failure: ScriptedFailure, times?: number): void;
  /** Delay every answer by ms (to exercise timeouts and slow turns). */
  setDelay(ms: number): void;
  /** Delay the answers to one recipient's sends by ms (0 = back to the common delay). */
  setDelayFor(psid: string, ms: number): void;
  /** Messages sent to one PSID, in order. */
  sentTo(psid: string): RecordedMessage[];
  /** Resolve when the predicate holds for the recorded messages; reject after timeoutMs. */
  waitFor(predicate: (msgs: RecordedMessage[]) => boolean, timeoutMs?: number): Promise<RecordedMessage[]>;
  reset(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A Send API call: JSON, or an attachment upload (multipart, fields JSON-encoded, the file in
 * `filedata`). An uploaded image is recorded with a data: URL as its payload.url, so tests and the
 * simulator page see the very bytes that were sent.
 */
async function parseSend(req: IncomingMessage, raw: Buffer): Promise<SendRequest> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return JSON.parse(raw.toString('utf8')) as SendRequest;
  const form = await new Request('http://fake-graph/', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(raw) }).formData();
  const text = (k: string) => {
    const v = form.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const json = (k: string) => (text(k) === undefined ? undefined : JSON.parse(text(k)!));
  const body = { recipient: json('recipient'), messaging_type: text('messaging_type'), tag: text('tag'), message: json('message') } as SendRequest;
  const file = form.get('filedata');
  if (file && typeof file !== 'string' && body.message?.attachment) {
    const bytes = Buffer.from(await file.arrayBuffer());
    body.message.attachment.payload = { ...body.message.attachment.payload, url: `data:${file.type};base64,${bytes.toString('base64')}`, uploaded_bytes: bytes.length };
  }
  return body;
}

export interface FakeGraphOptions {
  port?: number;
  host?: string;
  /** Keep at most this many recorded messages (oldest dropped); the long-running simulator bounds memory. */
  keep?: number;
  /**
   * Who wrote a comment, when registerComment was not told (the simulator keeps it in Redis, so a
   * worker process's fake Graph knows the commenters that the web process's page made up).
   */
  commenterOf?: (commentId: string) => Promise<string | null>;
  /** Where the live videos are kept (the simulator: in Redis, one list for every process); default: memory. */
  lives?: LiveVideoStore;
}

export async function startFakeGraph(opts: FakeGraphOptions = {}): Promise<FakeGraph> {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const messages: RecordedMessage[] = [];
  const profiles: Record<string, unknown>[] = [];
  const handovers: RecordedHandover[] = [];
  const commenters = new Map<string, string>();
  const memory = opts.lives ? null : memoryLiveVideos();
  const lives = opts.lives ?? memory!;
  const ownList = () => {
    if (!memory) throw new Error('fake Graph: the live videos are in a shared store; use fakeGraph.lives');
    return memory.videos;
  };
  const repliedComments = new Set<string>();
  const userSettings: Record<string, unknown>[] = [];
  const failures: ScriptedFailure[] = [];
  let failRule: ((body: string) => ScriptedFailure | null) | null = null;
  const handoverFailures: ScriptedFailure[] = [];
  let delay = 0;
  const delayFor = new Map<string, number>();
  let seq = 0;

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const body = raw.toString('utf8');
    // 'request' fires as soon as a call has fully arrived (before any delay): tests use it to act while
    // the caller waits for the answer.
    events.emit('request', { path: (req.url ?? '').split('?')[0] ?? '', body });
    const recipient = /"recipient":\{"id":"([^"]+)"/.exec(body)?.[1];
    const wait = (recipient && delayFor.get(recipient)) || delay;
    if (wait) await new Promise((r) => setTimeout(r, wait));
    const path = (req.url ?? '').split('?')[0] ?? '';
    const json = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    if (req.method === 'POST' && /\/me\/messages$/.test(path)) {
      const failure = failRule?.(body) ?? failures.shift();
      if (failure?.drop) {
        req.socket.destroy();
        return;
      }
      if (failure) return json(failure.status, failure.error ? { error: { type: 'OAuthException', ...failure.error, fbtrace_id: 'fake' } } : {});
      let parsed: SendRequest;
      try {
        parsed = await parseSend(req, raw);
      } catch {
        return json(400, { error: { message: 'Invalid JSON', code: 100, type: 'OAuthException' } });
      }
      const to = parsed.recipient as { id?: string; comment_id?: string } | undefined;
      let psid = to?.id;
      if (!psid && to?.comment_id) {
        // Meta allows exactly one Private Reply per comment
        if (repliedComments.has(to.comment_id)) return json(400, { error: { message: 'Activity already replied to', code: 10900, type: 'OAuthException' } });
        repliedComments.add(to.comment_id);
        psid = commenters.get(to.comment_id) ?? (await opts.commenterOf?.(to.comment_id).catch(() => null)) ?? `psid-of-${to.comment_id}`;
      }
      if (!psid) return json(400, { error: { message: 'recipient is required', code: 100 } });
      seq += 1;
      const rec: RecordedMessage = { seq, at: Date.now(), body: parsed, message_id: `m_fake_${seq}`, psid };
      messages.push(rec);
      if (opts.keep !== undefined && messages.length > opts.keep) messages.splice(0, messages.length - opts.keep);
      events.emit('message', rec);
      return json(200, { recipient_id: psid, message_id: rec.message_id });
    }
    const handover = /\/me\/(pass_thread_control|take_thread_control)$/.exec(path);
    if (req.method === 'POST' && handover) {
      const failure = handoverFailures.shift();
      if (failure) return json(failure.status, failure.error ? { error: { type: 'OAuthException', ...failure.error, fbtrace_id: 'fake' } } : {});
      try {
        handovers.push({ action: handover[1] as RecordedHandover['action'], body: JSON.parse(body) as RecordedHandover['body'] });
      } catch {
        return json(400, { error: { message: 'Invalid JSON', code: 100 } });
      }
      events.emit('handover', handovers.at(-1));
      return json(200, { success: true });
    }
    if (req.method === 'GET' && /\/me\/live_videos$/.test(path)) {
      // broadcast_status=["LIVE"] (a JSON array): only the videos broadcasting now; else every one
      const wanted = new URL(req.url ?? '/', 'http://fake-graph').searchParams.get('broadcast_status');
      let statuses: string[] | null = null;
      try {
        statuses = wanted ? (JSON.parse(wanted) as string[]) : null;
      } catch {
        return json(400, { error: { message: '(#100) broadcast_status must be a JSON array', code: 100 } });
      }
      let all: LiveVideo[];
      try {
        all = await lives.list();
      } catch {
        return json(500, { error: { message: 'An unexpected error has occurred. Please retry your request later.', code: 2, type: 'OAuthException' } });
      }
      return json(200, { data: all.reverse().filter((v) => !statuses || statuses.includes(v.status)) });
    }
    const settingsCall = /\/me\/custom_user_settings$/.test(path);
    if (req.method === 'POST' && (settingsCall || /\/me\/messenger_profile$/.test(path))) {
      try {
        (settingsCall ? userSettings : profiles).push(JSON.parse(body) as Record<string, unknown>);
      } catch {
        return json(400, { error: { message: 'Invalid JSON', code: 100 } });
      }
      return json(200, { result: 'success' });
    }
    json(404, { error: { message: `Unknown path ${path}`, code: 803 } });
  });
  // like graph.facebook.com, keep connections open between calls: a short timeout here made every send
  // of a busy client open a new connection (undici drops a socket whose server hint is under 2 s)
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    profiles,
    handovers,
    userSettings,
    events,
    registerComment(commentId, psid) {
      commenters.set(commentId, psid);
    },
    lives,
    startLiveVideo(o = {}) {
      const video = newLiveVideo(o);
      ownList().push(video);
      return video;
    },
    endLiveVideo(id) {
      const v = ownList().find((x) => x.id === id);
      if (v) v.status = 'VOD';
    },
    liveVideos: () => [...ownList()],
    failNext(failure, times = 1) {
      for (let i = 0; i < times; i++) failures.push(failure);
    },
    failWhere(rule) {
      failRule = rule;
    },
    failNextHandover(failure, times = 1) {
      for (let i = 0; i < times; i++) handoverFailures.push(failure);
    },
    setDelay(ms) {
      delay = ms;
    },
    setDelayFor(psid, ms) {
      if (ms > 0) delayFor.set(psid, ms);
      else delayFor.delete(psid);
    },
    sentTo(psid) {
      return messages.filter((m) => m.psid === psid);
    },
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        if (predicate(messages)) return resolve(messages);
        const timer = setTimeout(() => {
          events.off('message', check);
          reject(new Error(`fake Graph: condition not met within ${timeoutMs} ms (${messages.length} messages recorded)`));
        }, timeoutMs);
        function check() {
          if (predicate(messages)) {
            clearTimeout(timer);
            events.off('message', check);
            resolve(messages);
          }
        }
        events.on('message', check);
      });
    },
    reset() {
      messages.length = 0;
      profiles.length = 0;
      handovers.length = 0;
      commenters.clear();
      repliedComments.clear();
      // a shared store is every process's: only a fake Graph's own list starts over
      if (memory) memory.videos.length = 0;
      userSettings.length = 0;
      failures.length = 0;
      failRule = null;
      handoverFailures.length = 0;
      delay = 0;
      delayFor.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
