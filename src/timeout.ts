/**
 * Resolve with the promise, or reject after ms: a caller never hangs on a peer that stopped answering (a
 * producer on a dead Redis, a readiness check on a stuck pool). The timer is cleared either way.
 */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
