import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../../src/config.js';
import { createSimulator, type Simulator } from '../../../src/simulator/index.js';
import { testPrefix } from '../../helpers/test-prefix.js';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

/**
 * The simulator plugin on a bare Fastify server whose /webhook checks X-Hub-Signature-256 the way
 * Messenger's documentation describes (independently of the bot's code) and records what arrived.
 * For tests of the simulator on its own; the full app is tested in simulator-mode.test.ts.
 */
export interface Delivered {
  raw: string;
  signatureValid: boolean;
  body: { object: string; entry: Array<{ id: string; messaging: Array<Record<string, any>> }> };
}

export interface Harness {
  config: Config;
  simulator: Simulator;
  app: FastifyInstance;
  baseUrl: string;
  delivered: Delivered[];
  /** the status the fake /webhook answers with (200 unless a test changes it) */
  webhookStatus: { value: number };
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  // a queue prefix of its own: the simulator's Redis channel is named after it
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', QUEUE_PREFIX: testPrefix('sim'),
    REDIS_URL: TEST_REDIS_URL,
    ...env,
  });
  const simulator = await createSimulator({ config, logger: pino({ level: 'silent' }) });
  const app = Fastify();
  const delivered: Delivered[] = [];
  const webhookStatus = { value: 200 };
  await app.register(async (hook) => {
    hook.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    hook.post('/webhook', async (req, reply) => {
      const raw = req.body as string;
      const expected = Buffer.from(`sha256=${createHmac('sha256', config.FB_APP_SECRET!).update(raw).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      const signatureValid = given.length === expected.length && timingSafeEqual(given, expected);
      delivered.push({ raw, signatureValid, body: JSON.parse(raw) });
      return reply.code(webhookStatus.value).send('EVENT_RECEIVED');
    });
  });
  await app.register(simulator.plugin);
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    config,
    simulator,
    app,
    baseUrl,
    delivered,
    webhookStatus,
    async close() {
      await app.close();
      await simulator.close();
    },
  };
}
