/**
 * A minimal Server-Sent-Events reader over fetch, for tests: collects `item` events of one stream
 * and waits for one that matches.
 */
export interface SseStream {
  items: Array<Record<string, unknown>>;
  /** the server's boot id from the stream's `hello` event */
  boot(): string | undefined;
  waitFor(pred: (item: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
  /** resolves when the server ends the stream */
  ended: Promise<void>;
}

export async function openStream(url: string): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  if (res.status !== 200) throw new Error(`SSE ${url} answered ${res.status}: ${await res.text()}`);
  const items: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  const decoder = new TextDecoder();
  let buffer = '';
  let boot: string | undefined;
  const ended = (async () => {
    const reader = res.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (frame.includes('event: item') && data) items.push(JSON.parse(data.slice(6)) as Record<string, unknown>);
          if (frame.includes('event: hello') && data) boot = (JSON.parse(data.slice(6)) as { boot: string }).boot;
        }
        for (const w of waiters) w();
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    items,
    boot: () => boot,
    ended,
    close: () => controller.abort(),
    waitFor(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = items.find(pred);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SSE: no matching item within ${timeoutMs} ms; got ${JSON.stringify(items)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
