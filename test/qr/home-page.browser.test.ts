/**
 * The home page in a real browser (Debian's Chromium through playwright-core), phone-sized: a
 * shopper types the barcode number and lot printed on a package and submits the form, under the
 * page's own Content-Security-Policy, and lands on the package's page; a mistyped barcode number
 * comes back with the reason and what was typed. Nothing is fetched beyond the pages themselves,
 * nothing is wider than the screen. Screenshots go to test-output/qr/. Without Chromium, one line
 * says the test was skipped.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHomeRouter, createResolverRouter } from '../../qr-service';
import { fixtureSource, GTIN } from './fixture-source';
import { repoRoot } from './support';
import { PHONE, servePagesInChromium, type PagesInChromium } from './browser';

describe('qr-service: home page in a browser', function () {
  this.timeout(120_000);
  let served: PagesInChromium | undefined;
  const shots = path.join(repoRoot(), 'test-output', 'qr');

  before(async function () {
    served = await servePagesInChromium(this, [
      createHomeRouter({ baseUrl: 'https://zfc.example.cn' }),
      createResolverRouter({ baseUrl: 'https://zfc.example.cn', source: fixtureSource(), today: () => '2026-05-01' }),
    ]);
    fs.mkdirSync(shots, { recursive: true });
  });

  after(async () => {
    await served?.close();
  });

  it('finds a package\'s page from the numbers printed on it, and says what was wrong with a mistyped one', async () => {
    const context = await (served as PagesInChromium).browser.newContext({ ...PHONE, locale: 'zh-CN' });
    const page = await context.newPage();
    const requests: string[] = [];
    const blocked: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
    try {
      const base = (served as PagesInChromium).url;
      expect((await page.goto(`${base}/`))?.status()).to.equal(200);
      expect(await page.locator('h1').innerText()).to.equal('浙食链 · 食品溯源');
      const { scroll, inner } = await page.evaluate<{ scroll: number; inner: number }>('({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })');
      expect(scroll).to.be.at.most(inner);
      await page.screenshot({ path: path.join(shots, 'home-zh.png'), fullPage: true });

      // the 13 digits under the barcode, and the lot
      await page.locator('#gtin').fill(GTIN.slice(1));
      await page.locator('#lot').fill('LJ2026A');
      await Promise.all([page.waitForURL(`${base}/01/${GTIN}/10/LJ2026A?lang=zh`), page.locator('button[type=submit]').click()]);
      expect(await page.locator('h1').innerText()).to.equal('西湖龙井茶 特级 250克');

      // a mistyped barcode number: the form again, with the reason and what was typed
      await page.goto(`${base}/`);
      await page.locator('#gtin').fill('9506000134353');
      await page.locator('#lot').fill('LJ2026A');
      await Promise.all([page.waitForURL(/\/lookup\?/), page.locator('button[type=submit]').click()]);
      expect(await page.locator('#lookup-error').innerText()).to.contain('商品条码应为 8、12、13 或 14 位数字');
      expect(await page.locator('#gtin').inputValue()).to.equal('9506000134353');
      await page.screenshot({ path: path.join(shots, 'home-lookup-error-zh.png'), fullPage: true });

      expect(blocked, 'the page\'s CSP blocked nothing').to.deep.equal([]);
      expect([...new Set(requests)].sort()).to.deep.equal(['/', '/lookup', `/01/${GTIN}/10/LJ2026A`].sort());
    } finally {
      await context.close();
    }
  });
});
