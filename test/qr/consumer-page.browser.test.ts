/**
 * The consumer page in a real browser (Debian's Chromium through playwright-core) on a phone-sized
 * viewport: a normal lot and a recalled lot, in Chinese and English, the language switch, no
 * request beyond the page itself, nothing wider than the screen, the recall warning on the first
 * screen. Screenshots go to test-output/qr/. Without Chromium, one line says the test was skipped.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { createResolverRouter } from '../../qr-service';
import { fixtureSource, GTIN } from './fixture-source';
import { repoRoot } from './support';
import { PHONE, servePagesInChromium, type PagesInChromium } from './browser';

describe('qr-service: consumer page in a browser', function () {
  this.timeout(120_000);
  let served: PagesInChromium | undefined;
  const shots = path.join(repoRoot(), 'test-output', 'qr');

  before(async function () {
    served = await servePagesInChromium(this, [
      createResolverRouter({ baseUrl: 'https://zfc.example.cn', source: fixtureSource(), today: () => '2026-05-01' }),
    ]);
    fs.mkdirSync(shots, { recursive: true });
  });

  after(async () => {
    await served?.close();
  });

  async function open(locale: string, url: string): Promise<{ context: BrowserContext; page: Page; requests: string[] }> {
    const context = await (served as PagesInChromium).browser.newContext({ ...PHONE, locale });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const res = await page.goto((served as PagesInChromium).url + url);
    expect(res?.status()).to.equal(200);
    return { context, page, requests };
  }

  async function fitsScreen(page: Page): Promise<void> {
    // (browser-side code as text: this project compiles without the DOM library)
    const { scroll, inner } = await page.evaluate<{ scroll: number; inner: number }>('({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })');
    expect(scroll).to.be.at.most(inner);
  }

  it('shows a normal lot in Chinese, then switches to English', async () => {
    const { context, page, requests } = await open('zh-CN', `/01/${GTIN}/10/LJ2026A/21/000001?17=271002`);
    try {
      expect(await page.locator('h1').innerText()).to.equal('西湖龙井茶 特级 250克');
      expect(await page.locator('#status').innerText()).to.equal('正常');
      expect(await page.locator('#warning').count()).to.equal(0);
      expect(await page.locator('#tests li').count()).to.equal(3);
      expect(await page.locator('#path li').count()).to.equal(4);
      expect(await page.locator('#facts').innerText()).to.contain('生产日期').and.contain('2026-04-03').and.contain('2027-10-02');
      await fitsScreen(page);
      await page.screenshot({ path: path.join(shots, 'normal-zh.png'), fullPage: true });
      await page.locator('a.lang').click();
      await page.waitForLoadState();
      expect(await page.locator('html').getAttribute('lang')).to.equal('en');
      expect(await page.locator('h1').innerText()).to.equal('West Lake Longjing Tea, Special Grade, 250 g');
      expect(await page.locator('#tests').innerText()).to.contain('Lead (Pb)').and.contain('Pass');
      await page.screenshot({ path: path.join(shots, 'normal-en.png'), fullPage: true });
      expect(requests.filter((u) => !u.startsWith((served as PagesInChromium).url))).to.deep.equal([]);
      expect(requests).to.have.length(2); // the page, then the page in the other language
    } finally {
      await context.close();
    }
  });

  for (const [locale, title] of [['zh-CN', '召回警告：请勿食用！'], ['en-GB', 'RECALL — DO NOT EAT']] as const) {
    it(`puts the recall warning on the first screen (${locale})`, async () => {
      const { context, page, requests } = await open(locale, `/01/${GTIN}/10/LJ2026R/21/000002`);
      try {
        const warning = page.locator('#warning');
        expect(await warning.locator('h2').innerText()).to.contain(title);
        const box = await warning.boundingBox();
        expect(box).to.not.equal(null);
        expect((box as { y: number }).y).to.be.lessThan(PHONE.viewport.height / 2);
        const style = await page.evaluate<{ bg: string; h2: number }>(
          `(() => { const el = document.getElementById('warning'); return { bg: getComputedStyle(el).backgroundColor, h2: parseFloat(getComputedStyle(el.querySelector('h2')).fontSize) }; })()`,
        );
        expect(style.bg).to.equal('rgb(176, 0, 32)');
        expect(style.h2).to.be.at.least(24);
        expect(await page.locator('#tests li.fail').count()).to.equal(2); // the lot's own failed test, and its raw material's
        expect(await page.locator('#tests li.fail .material').innerText()).to.match(/^(原料批次|Raw material lot) LJ-<F>1 · (龙井<i>茶园<\/i>|Longjing <i>Farm<\/i>)$/);
        await fitsScreen(page);
        expect(requests).to.have.length(1);
        await page.screenshot({ path: path.join(shots, `recalled-${locale}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
