import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { bundledChromium } from './bundled-chromium.js';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Not the flags @sparticuz/chromium recommends: `--single-process` kills the browser when a page closes,
 * and `--disable-web-security` would hide the very bugs a browser test is for.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * A headless Chromium: CHROMIUM_PATH if set, else Debian's /usr/bin/chromium if installed, else the one
 * shipped in the @sparticuz/chromium npm package (so `npm install && npm test` needs no system browser).
 */
export async function launchChromium(): Promise<Browser> {
  const { executablePath, env } = await pickChromium();
  return chromium.launch({ executablePath, args: FLAGS, env: { ...process.env, ...env } });
}

async function pickChromium(): Promise<{ executablePath: string; env: Record<string, string> }> {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`CHROMIUM_PATH=${chosen} does not exist (unset it to use /usr/bin/chromium or the bundled Chromium)`);
    return { executablePath: chosen, env: {} };
  }
  if (existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, env: {} };
  return bundledChromium();
}
