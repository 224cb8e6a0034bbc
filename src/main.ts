import closeWithGrace from 'close-with-grace';
import { loadConfig, ConfigError } from './config.js';
import { migrate } from './db/migrate.js';
import { pingRedis } from './db/redis.js';
import { buildApp } from './app.js';
import { prepareDemo, startupBanner } from './simulator/demo-mode.js';

/** Entry point: check services, migrate, build the app, listen, shut down gracefully. */
async function main(): Promise<void> {
  const config = loadConfig();
  await migrate(config.DATABASE_URL, (m) => console.log(`[migrate] ${m}`));
  await pingRedis(config.REDIS_URL);
  const app = await buildApp(config);
  const demo = await prepareDemo({ ...app, servesPages: app.http !== null });
  if (demo.seeded && demo.seeded.products > 0) app.logger.info(demo.seeded, 'seeded the demo shop (catalog was empty)');
  await app.start();
  if (app.http) {
    await app.http.listen({ port: config.PORT, host: config.HOST });
    app.logger.info(`QuickSell (${config.ROLE}) listening on ${config.publicUrl}`);
    if (app.simulator) console.log(startupBanner(config.publicUrl, demo.demoAdminKey));
  } else {
    app.logger.info('QuickSell worker started');
  }
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err) app.logger.error({ err }, 'shutting down after an error');
    else app.logger.info({ signal }, 'shutting down');
    await app.close();
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || (err as Error)?.name?.endsWith('UnavailableError')) console.error((err as Error).message);
  else console.error(err);
  process.exit(1);
});
