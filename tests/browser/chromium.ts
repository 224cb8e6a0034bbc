import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, headless, as CI installs it (`apt-get install chromium`). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
