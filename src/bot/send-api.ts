/**
 * Messenger Send API client, shared by the bot adapter and the notifications worker.
 * Plain fetch; no botkit here, so src/jobs can import it. The Page token travels only in the
 * request and never appears in an error message or a log line.
 */
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
}

export interface SendResult {
  recipient_id: string;
  message_id: string;
}

/** A Graph API failure, classified: temporary ones are worth retrying, rate limits back off the queue. */
export class GraphError extends Error {
  override name = 'GraphError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | null,
    readonly subcode: number | null,
    readonly fbtraceId?: string,
  ) {
    super(message);
  }
  get isRateLimit(): boolean {
    return this.code === 4 || this.code === 613 || this.code === 32 || this.code === 17;
  }
  get isTemporary(): boolean {
    if (this.status === 0 || this.status >= 500) return true; // network error or Graph outage
    if (this.code === null) return this.status === 429;
    return [1, 2, 4, 17, 32, 613, 1200].includes(this.code);
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
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export interface SendApi {
  send(req: SendRequest): Promise<SendResult>;
  /** POST /me/{pass,take}_thread_control (Handover Protocol): the same client, errors and timeout as send */
  threadControl(action: 'pass_thread_control' | 'take_thread_control', body: Record<string, unknown>): Promise<void>;
  /** POST /me/messenger_profile (Get Started, greeting, persistent menu). */
  setProfile(profile: Record<string, unknown>): Promise<void>;
}

export function createSendApi(opts: SendApiOptions): SendApi {
  const base = `${opts.graphApiUrl.replace(/\/$/, '')}/${opts.graphApiVersion}`;
  const doFetch = opts.fetchImpl ?? fetch;

  async function post<T>(path: string, body: unknown): Promise<T> {
    const url = new URL(`${base}${path}`);
    // The token goes in the query string as Graph expects; `url` is never logged or put in an error.
    url.searchParams.set('access_token', opts.pageAccessToken ?? 'simulator');
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new GraphError(`network error: ${(err as Error).name}: ${(err as Error).message}`, 0, null, null);
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // a non-JSON body (proxy error page): classified by HTTP status below
    }
    if (!res.ok || json.error) {
      const e = (json.error ?? {}) as { message?: string; code?: number; error_subcode?: number; fbtrace_id?: string };
      throw new GraphError(
        e.message ?? `HTTP ${res.status}`,
        res.status,
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
  };
}
