import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { SendRequest } from '../bot/send-api.js';
import type { UserEvent } from './webhook-sender.js';

/**
 * The simulator's conversations: what each PSID said (user items) and what the Page sent it
 * (page items, from the fake Graph API), kept in memory with a bound, and pushed to every open
 * Server-Sent-Events stream of that PSID. A reloaded page gets the recent history replayed; the
 * item `id` lets the page drop what it already shows when EventSource reconnects, and the `hello`
 * event's boot id tells it when the server restarted (ids start again, history is gone).
 */
export type ChatItem =
  | { id: number; at: number; from: 'user'; event: UserEvent }
  | { id: number; at: number; from: 'page'; request: SendRequest; message_id: string }
  | { id: number; at: number; from: 'system'; text: string };

/** An item before the hub numbers and stamps it. */
export type NewItem = ChatItem extends infer T ? (T extends ChatItem ? Omit<T, 'id' | 'at'> : never) : never;

interface Conversation {
  items: ChatItem[];
  streams: Set<ServerResponse>;
}

export interface Hub {
  record(psid: string, item: NewItem): ChatItem;
  history(psid: string): ChatItem[];
  /** Attach an SSE response: replays history, then streams new items until the client goes away. */
  attach(psid: string, res: ServerResponse): void;
  streamCount(): number;
  /** End every open stream (server shutting down). */
  closeAll(): void;
}

export function createHub(opts: { perPsid?: number; maxConversations?: number; heartbeatMs?: number } = {}): Hub {
  const perPsid = opts.perPsid ?? 300;
  const maxConversations = opts.maxConversations ?? 1000;
  const conversations = new Map<string, Conversation>();
  let nextId = 1;
  // Item ids restart with the process: the page starts its view afresh when this changes.
  const boot = randomUUID();

  function conversation(psid: string): Conversation {
    let c = conversations.get(psid);
    if (!c) {
      c = { items: [], streams: new Set() };
      conversations.set(psid, c);
      // Forget the oldest idle conversation once there are too many (memory stays bounded).
      if (conversations.size > maxConversations) {
        for (const [key, old] of conversations) {
          if (old.streams.size === 0 && key !== psid) {
            conversations.delete(key);
            break;
          }
        }
      }
    }
    return c;
  }

  const frame = (item: ChatItem) => `id: ${item.id}\nevent: item\ndata: ${JSON.stringify(item)}\n\n`;

  const heartbeat = setInterval(() => {
    for (const c of conversations.values()) for (const res of c.streams) res.write(': ping\n\n');
  }, opts.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    record(psid, item) {
      const full = { ...item, id: nextId++, at: Date.now() } as ChatItem;
      const c = conversation(psid);
      c.items.push(full);
      if (c.items.length > perPsid) c.items.splice(0, c.items.length - perPsid);
      for (const res of c.streams) res.write(frame(full));
      return full;
    },
    history: (psid) => [...(conversations.get(psid)?.items ?? [])],
    attach(psid, res) {
      const c = conversation(psid);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ boot })}\n\n`);
      for (const item of c.items) res.write(frame(item));
      // the replay is over: what follows is new (the page counts it as unread, scrolls smoothly)
      res.write('event: live\ndata: {}\n\n');
      c.streams.add(res);
      res.on('close', () => c.streams.delete(res));
    },
    streamCount: () => [...conversations.values()].reduce((n, c) => n + c.streams.size, 0),
    closeAll() {
      clearInterval(heartbeat);
      for (const c of conversations.values()) {
        for (const res of c.streams) res.end();
        c.streams.clear();
      }
    },
  };
}
