/**
 * What the browser tests share: Debian's Chromium through playwright-core, launched headless, a
 * phone-sized context, and one visible line when Chromium is not installed (the test is skipped).
 */
import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A phone's screen, as the consumer pages are read. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Chromium, launched; or the calling hook's test skipped, saying why, when it is not installed. */
export async function launchChromium(hook: Mocha.Context): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`    browser test skipped: ${CHROMIUM} is not installed (apt-get install -y chromium fonts-noto-cjk)`);
    hook.skip();
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}
