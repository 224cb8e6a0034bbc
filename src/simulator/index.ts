// STUB — the simulator helper replaces this file (issue 6). Keep the exported names and types.
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';

export interface Simulator {
  /** Where the Send API client should point: the built-in fake Graph API. */
  graphApiUrl: string;
  /** Fastify plugin serving /simulator (page, SSE, outgoing webhook posts). */
  plugin: FastifyPluginAsync;
  close(): Promise<void>;
}

export async function createSimulator(_deps: { config: Config; logger: Logger }): Promise<Simulator> {
  return { graphApiUrl: 'http://127.0.0.1:9', plugin: async () => undefined, close: async () => undefined };
}
