import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SendRequest } from '../../src/bot/send-api.js';

/**
 * The fake Graph API of a chaos run. It counts every Send API call when it ARRIVES, then decides its fate:
 *  - ok: delivered, answered at once;
 *  - slow: delivered, answered after `slowMs` (past the app's SEND_API_TIMEOUT_MS: the app cannot know);
 *  - error: Graph 500 (code 2, temporary), not delivered;
 *  - throttle: Graph 613 rate limit, not delivered.
 * Faults hit only "flaky" recipients (a fixed share of PSIDs, chosen by hash), so most journeys run clean
 * and the faults land on the same customers' replies and notifications again and again.
 */
export type Fate = 'ok' | 'slow' | 'error' | 'throttle';

export interface Arrival {
  seq: number;
  at: number;
  psid: string;
  fate: Fate;
  message_id: string | null;
  messaging_type: string | undefined;
  message: NonNullable<SendRequest['message']>;
  /** canonical JSON of the message, to spot the same message delivered twice */
  key: string;
}

export interface GraphFaults {
  /** share of PSIDs subject to faults (0..1) */
  flakyShare: number;
  slow: number;
  error: number;
  throttle: number;
  slowMs: number;
}

export const NO_FAULTS: GraphFaults = { flakyShare: 0, slow: 0, error: 0, throttle: 0, slowMs: 0 };

export interface ChaosGraph {
  url: string;
  arrivals: Arrival[];
  /** delivered (ok or slow) messages per PSID, in arrival order */
  deliveredTo(psid: string): Arrival[];
  events: EventEmitter;
  setFaults(f: GraphFaults): void;
  isFlaky(psid: string): boolean;
  counts(): Record<Fate, number>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function unit(s: string): number {
  return createHash('sha1').update(s).digest().readUInt32BE(0) / 2 ** 32;
}

export async function startChaosGraph(): Promise<ChaosGraph> {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const arrivals: Arrival[] = [];
  const byPsid = new Map<string, Arrival[]>();
  let faults = NO_FAULTS;
  let seq = 0;
  const isFlaky = (psid: string) => unit(`flaky:${psid}`) < faults.flakyShare;

  function fateOf(psid: string): Fate {
    if (!isFlaky(psid)) return 'ok';
    const r = Math.random();
    if (r < faults.slow) return 'slow';
    if (r < faults.slow + faults.error) return 'error';
    if (r < faults.slow + faults.error + faults.throttle) return 'throttle';
    return 'ok';
  }

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = (req.url ?? '').split('?')[0] ?? '';
    const json = (status: number, data: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    if (req.method !== 'POST' || !/\/me\/messages$/.test(path)) return json(200, { result: 'success' });
    let parsed: SendRequest;
    try {
      parsed = JSON.parse(body) as SendRequest;
    } catch {
      return json(400, { error: { message: 'Invalid JSON', code: 100 } });
    }
    const psid = (parsed.recipient as { id?: string } | undefined)?.id;
    if (!psid) return json(400, { error: { message: 'recipient is required', code: 100 } });
    if (!parsed.message) return json(200, { recipient_id: psid }); // sender actions (typing) are not messages
    seq += 1;
    const fate = fateOf(psid);
    const delivered = fate === 'ok' || fate === 'slow';
    const a: Arrival = {
      seq,
      at: Date.now(),
      psid,
      fate,
      message_id: delivered ? `m_chaos_${seq}` : null,
      messaging_type: parsed.messaging_type,
      message: parsed.message,
      key: JSON.stringify(parsed.message),
    };
    arrivals.push(a);
    if (delivered) {
      const list = byPsid.get(psid) ?? [];
      list.push(a);
      byPsid.set(psid, list);
      events.emit('delivered', a);
    }
    if (fate === 'error') return json(500, { error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true } });
    if (fate === 'throttle') return json(400, { error: { message: 'Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613 } });
    if (fate === 'slow') await new Promise((r) => setTimeout(r, faults.slowMs));
    json(200, { recipient_id: psid, message_id: a.message_id });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    deliveredTo: (psid) => byPsid.get(psid) ?? [],
    events,
    setFaults(f) {
      faults = f;
    },
    isFlaky,
    counts() {
      const c: Record<Fate, number> = { ok: 0, slow: 0, error: 0, throttle: 0 };
      for (const a of arrivals) c[a.fate] += 1;
      return c;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
