/**
 * Messenger Send API client, shared by the bot adapter and the notifications worker; no botkit here,
 * so src/jobs can import it. The Page token travels only in the request and never appears in an error
 * message or a log line.
 *
 * HTTP: undici's request() on a keep-alive pool of our own rather than the global fetch: every chat
 * reply and notification is one call, and fetch's WHATWG layers (Request/Response objects, web streams,
 * an AbortSignal per call) were a tenth of a busy server's CPU in bench:webhook's profile.
 */
import { Agent, FormData, request } from 'undici';
export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG';

export interface QuickReply {
  content_type: 'text';
  title: string;
  payload: string;
  image_url?: string;
}

export interface SendRequest {
  /** a PSID, or a Page comment for its one Private Reply (Graph answers with the commenter's PSID) */
  recipient: { id: string } | { comment_id: string };
  messaging_type?: MessagingType;
  tag?: 'POST_PURCHASE_UPDATE' | 'CONFIRMED_EVENT_UPDATE' | 'ACCOUNT_UPDATE' | 'HUMAN_AGENT';
  message?: {
    text?: string;
    quick_replies?: QuickReply[];
    attachment?: { type: 'template' | 'image' | 'file'; payload: Record<string, unknown> };
    metadata?: string;
  };
  sender_action?: 'typing_on' | 'typing_off' | 'mark_seen';
  /** an image sent as an attachment upload (multipart `filedata`), e.g. a stored payment proof */
  filedata?: { bytes: Buffer; contentType: string };
}

export interface SendResult {
  recipient_id: string;
  message_id: string;
}

/** Graph codes that mean "not done, try again": temporary API errors and throttling. */
const RETRYABLE_CODES = [1, 2, 4, 17, 32, 613, 1200];
/** Network failures that prove the request never reached Graph (no connection was ever made). */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * A Graph API failure, classified: temporary ones are worth retrying, rate limits back off the queue, and
 * `deliveryUnknown` ones (a timeout or a broken connection after the request went out, a gateway's 5xx
 * without a Graph error) may have been delivered: sending again could show the customer the message twice.
 */
export class GraphError extends Error {
  override name = 'GraphError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | null,
    readonly subcode: number | null,
    readonly fbtraceId?: string,
    /** status 0 only: true when the request provably never left (connection refused, DNS failure) */
    readonly notSent = false,
  ) {
    super(message);
  }
  get isRateLimit(): boolean {
    return this.code === 4 || this.code === 613 || this.code === 32 || this.code === 17;
  }
  /** Graph may have received (and shown) the message: never send it again automatically. */
  get deliveryUnknown(): boolean {
    if (this.status === 0) return !this.notSent;
    return this.status >= 500 && (this.code === null || !RETRYABLE_CODES.includes(this.code));
  }
  /** Provably not delivered and worth another try: nothing reached Graph, or Graph said "try again". */
  get isTemporary(): boolean {
    if (this.status === 0) return this.notSent;
    if (this.code === null) return this.status === 429;
    return RETRYABLE_CODES.includes(this.code);
  }
  /** A short reason for logs and the notification_queue row. */
  get reason(): string {
    const code = this.code === null ? `HTTP ${this.status}` : `code ${this.code}${this.subcode ? `/${this.subcode}` : ''}`;
    return `Graph ${code}: ${this.message}`;
  }
}

export interface SendApiOptions {
  graphApiUrl: string;
  graphApiVersion: string;
  pageAccessToken: string | undefined;
  /** connect, answer and body each within this (default 10 s) */
  timeoutMs?: number;
}

export interface SendApi {
  send(req: SendRequest): Promise<SendResult>;
  /** POST /me/{pass,take}_thread_control (Handover Protocol): the same client, errors and timeout as send */
  threadControl(action: 'pass_thread_control' | 'take_thread_control', body: Record<string, unknown>): Promise<void>;
  /** POST /me/messenger_profile (Get Started, greeting, persistent menu). */
  setProfile(profile: Record<string, unknown>): Promise<void>;
  /** POST /me/custom_user_settings (one user's own persistent menu) */
  setUserSettings(settings: Record<string, unknown>): Promise<void>;
  /**
   * GET /me/live_videos?broadcast_status=["LIVE"] (the Page token's /me is the Page): the Page's live
   * videos broadcasting now, newest first, as Graph lists them; null when there is none.
   */
  latestLiveVideo(): Promise<LiveVideo | null>;
}

/** A Page's live video as /live_videos answers it (fields id, status, title, creation_time, from, video). */
export interface LiveVideo {
  id: string;
  status: string;
  title?: string;
  creation_time?: string;
  /** the Page that broadcasts it */
  from?: { id: string; name?: string };
  /** the video object behind the broadcast: comments arrive on the post <page id>_<video id> */
  video?: { id: string };
}

/** JSON, or multipart/form-data (each field JSON-encoded, the file as `filedata`) for an attachment upload. */
function encode(body: unknown): { headers?: Record<string, string>; body: string | FormData } {
  const { filedata, ...rest } = body as SendRequest;
  if (!filedata) return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const form = new FormData();
  for (const [k, v] of Object.entries(rest)) form.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  const ext = filedata.contentType.split('/')[1] ?? 'bin';
  form.set('filedata', new Blob([new Uint8Array(filedata.bytes)], { type: filedata.contentType }), `image.${ext}`);
  return { body: form };
}

/** The network error's code (undici puts it on the error, fetch on its cause; a dual-stack connect wraps them). */
function networkCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> };
  for (const c of [e?.code, e?.cause?.code, e?.errors?.[0]?.code]) if (typeof c === 'string') return c;
  return '';
}

export function createSendApi(opts: SendApiOptions): SendApi {
  const base = `${opts.graphApiUrl.replace(/\/$/, '')}/${opts.graphApiVersion}`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // one pool per client: connections kept between calls (idle ones closed after 4 s, before Graph would)
  const dispatcher = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 4000 });
  // the token goes in the query string as Graph expects; a URL with it is never logged or put in an error
  const token = `access_token=${encodeURIComponent(opts.pageAccessToken ?? 'simulator')}`;

  async function post<T>(path: string, body: unknown): Promise<T> {
    return call<T>('POST', path, body);
  }

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, query: Record<string, string> = {}): Promise<T> {
    const search = new URLSearchParams(query).toString();
    let status: number;
    let text: string;
    try {
      const res = await request(`${base}${path}?${search ? `${search}&` : ''}${token}`, { method, dispatcher, ...(method === 'POST' ? encode(body) : {}) });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const code = networkCode(err);
      const detail = code ? ` (${code})` : '';
      throw new GraphError(`network error: ${(err as Error).name}: ${(err as Error).message}${detail}`, 0, null, null, undefined, NOT_SENT_CODES.has(code));
    }
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // a non-JSON body (proxy error page): classified by HTTP status below
    }
    if (status < 200 || status > 299 || json.error) {
      const e = (json.error ?? {}) as { message?: string; code?: number; error_subcode?: number; fbtrace_id?: string };
      throw new GraphError(
        e.message ?? `HTTP ${status}`,
        status,
        typeof e.code === 'number' ? e.code : null,
        typeof e.error_subcode === 'number' ? e.error_subcode : null,
        e.fbtrace_id,
      );
    }
    return json as T;
  }

  return {
    send: (req) => post<SendResult>('/me/messages', req),
    threadControl: async (action, body) => {
      await post(`/me/${action}`, body);
    },
    setProfile: async (profile) => {
      await post('/me/messenger_profile', profile);
    },
    setUserSettings: async (settings) => {
      await post('/me/custom_user_settings', settings);
    },
    async latestLiveVideo() {
      const query = { broadcast_status: '["LIVE"]', fields: 'id,status,title,creation_time,from,video', limit: '5' };
      const res = await call<{ data?: LiveVideo[] }>('GET', '/me/live_videos', undefined, query);
      return (res.data ?? []).find((v) => v.status === 'LIVE') ?? null;
    },
  };
}
