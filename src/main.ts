import { createRequire } from 'node:module';
import closeWithGrace from 'close-with-grace';
import { loadConfig, ConfigError } from './config.js';
import { migrate } from './db/migrate.js';
import { pingRedis } from './db/redis.js';
import { buildApp } from './app.js';
import { createLogger } from './logging.js';
import { seedDemoShop } from './simulator/demo-seed.js';
import { simulatorBanner } from './simulator/banner.js';

/** Entry point: check services, migrate, build the app, listen, shut down gracefully. */
async function main(): Promise<void> {
  const config = loadConfig();
  await migrate(config.DATABASE_URL, (m) => console.log(`[migrate] ${m}`));
  await pingRedis(config.REDIS_URL);
  const app = await buildApp(config, { logger: createLogger(config.LOG_LEVEL, undefined, { pretty: prettyLogs() }) });
  if (config.simulatorEnabled && config.DEMO_SEED) {
    const seeded = await seedDemoShop(app.db, config);
    if (seeded.products > 0) app.logger.info(seeded, 'seeded the demo shop (catalog was empty)');
  }
  await app.start();
  if (app.http) {
    await app.http.listen({ port: config.PORT, host: config.HOST });
    app.logger.info(`QuickSell (${config.ROLE}) listening on ${config.publicUrl}`);
    const banner = simulatorBanner(config);
    if (banner.info) console.log(`\n  ${banner.info}\n`);
    if (banner.warning) app.logger.warn(banner.warning);
  } else {
    if (app.probe) await app.probe.listen({ port: config.WORKER_HTTP_PORT, host: config.HOST });
    app.logger.info(app.probe ? `QuickSell worker started; health on port ${config.WORKER_HTTP_PORT}` : 'QuickSell worker started');
  }
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err) app.logger.error({ err }, 'shutting down after an error');
    else app.logger.info({ signal }, 'shutting down');
    await app.close();
  });
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
