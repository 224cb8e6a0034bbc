import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { buildApp, type App } from '../../src/app.js';
import { seedDemoShop } from '../../src/simulator/demo-seed.js';
import { testConfig } from '../helpers/test-config.js';
import { ownDatabase } from '../integration/simulator/own-database.js';
import { freePort } from '../integration/simulator/free-port.js';

/**
 * The whole app in simulator mode on a database of its own (the demo shop seeded, workers started,
 * listening on a free port), and a headless Chromium page to drive /simulator with.
 */
export interface SimulatorSession {
  app: App;
  page: Page;
  baseUrl: string;
  /** errors thrown by the page's scripts (a test expects none) */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openSimulator(opts: { env?: Record<string, string>; stepMs: number; beforeStart?: (app: App) => Promise<void> }): Promise<SimulatorSession> {
  const database = await ownDatabase();
  let app: App | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await app?.close();
    await database.drop();
  };
  try {
    const port = await freePort();
    const config = testConfig({ SIMULATOR: 'auto', DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1', ...opts.env });
    app = await buildApp(config);
    await seedDemoShop(app.db, config);
    await opts.beforeStart?.(app);
    await app.start();
    await app.http!.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(opts.stepMs);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return { app, page, baseUrl: `http://localhost:${port}`, pageErrors, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Resolves once the image has finished loading: true when it decoded to a picture, false when it failed.
 * A check of `img.complete` right after the element appears raced the download (the CI run on a fresh
 * machine saw the card's photo still loading and failed); this waits for the load or error event instead.
 */
export function imageLoaded(img: Locator): Promise<boolean> {
  return img.evaluate(
    (el: HTMLImageElement) =>
      new Promise<boolean>((resolve) => {
        if (el.complete) return resolve(el.naturalWidth > 0);
        el.addEventListener('load', () => resolve(el.naturalWidth > 0), { once: true });
        el.addEventListener('error', () => resolve(false), { once: true });
      }),
  );
}
