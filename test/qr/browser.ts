/**
 * What the browser tests share: Debian's Chromium through playwright-core, launched headless, a
 * phone-sized context, one visible line when Chromium is not installed (the test is skipped),
 * and the public pages' routers served on an ephemeral port for it to read.
 */
import * as fs from 'node:fs';
import type Router from '@koa/router';
import Koa from 'koa';
import { chromium, type Browser } from 'playwright-core';
import { errorMiddleware } from '../../gateway-api/error-middleware';
import { listen } from './support';

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

/** Chromium, and the pages it reads at `url`; `close` ends both. */
export interface PagesInChromium {
  readonly browser: Browser;
  readonly url: string;
  close(): Promise<void>;
}

/** Chromium launched, and `routers` served (after the gateway's error middleware) on a loopback port; the calling hook's test skipped without Chromium. */
export async function servePagesInChromium(hook: Mocha.Context, routers: readonly Router[]): Promise<PagesInChromium> {
  const browser = await launchChromium(hook);
  const app = new Koa();
  app.use(errorMiddleware());
  for (const router of routers) app.use(router.routes());
  const server = await listen(app);
  return { browser, url: server.url, close: async () => { await browser.close(); await server.close(); } };
}
