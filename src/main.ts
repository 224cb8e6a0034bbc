import { createRequire } from 'node:module';
import closeWithGrace from 'close-with-grace';
import { loadConfig, ConfigError } from './config.js';
import { migrate } from './db/migrate.js';
import { pingRedis } from './db/redis.js';
import { buildApp } from './app.js';
import { createLogger } from './logging.js';
import { prepareDemo } from './simulator/demo-mode.js';
import { simulatorBanner } from './simulator/banner.js';

/** Entry point: check services, migrate, build the app, listen, shut down gracefully. */
async function main(): Promise<void> {
  const config = loadConfig();
  await migrate(config.DATABASE_URL, (m) => console.log(`[migrate] ${m}`));
  await pingRedis(config.REDIS_URL);
  const app = await buildApp(config, { logger: createLogger(config.LOG_LEVEL, undefined, { pretty: prettyLogs() }) });
  const demo = await prepareDemo({ ...app, servesPages: app.http !== null });
  if (demo.seeded && demo.seeded.products > 0) app.logger.info(demo.seeded, 'seeded the demo shop (catalog was empty)');
  // Before start(): a SIGTERM that comes as soon as workers take jobs still shuts down gracefully.
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err) app.logger.error({ err }, 'shutting down after an error');
    else app.logger.info({ signal }, 'shutting down');
    await app.close();
  });
  await app.start();
  if (app.http) {
    await app.http.listen({ port: config.PORT, host: config.HOST });
    app.logger.info(`QuickSell (${config.ROLE}) listening on ${config.publicUrl}`);
    const banner = simulatorBanner(config, demo.demoAdminKey);
    if (banner.info) console.log(`\n  ${banner.info}\n`);
    if (banner.warning) app.logger.warn(banner.warning);
  } else {
    if (app.probe) await app.probe.listen({ port: config.WORKER_HTTP_PORT, host: config.HOST });
    app.logger.info(app.probe ? `QuickSell worker started; health on port ${config.WORKER_HTTP_PORT}` : 'QuickSell worker started');
  }
}

/** Human-readable logs for a person at a terminal (npm run dev, npm start), if pino-pretty is installed (not with --omit=dev); JSON elsewhere. */
function prettyLogs(): boolean {
  if (!process.stdout.isTTY) return false;
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || (err as Error)?.name?.endsWith('UnavailableError')) console.error((err as Error).message);
  else console.error(err);
  process.exit(1);
});
