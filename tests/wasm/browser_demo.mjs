// Opens the demo page in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core from web/node_modules), waits for it to finish, saves a
// screenshot, prints JSON {state, demo: window.sparseccDemo, consoleErrors}.
//
//   node browser_demo.mjs URL SCREENSHOT.png [CHROMIUM]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { chromium } = createRequire(join(root, 'web', 'package.json'))('playwright-core');
const [url, shot, exe = '/usr/bin/chromium'] = process.argv.slice(2);

const browser = await chromium.launch({ executablePath: exe, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1100 } });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 120000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  const demo = await page.evaluate(() => window.sparseccDemo);
  const latencyText = await page.textContent('#latency');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(JSON.stringify({ state, demo, latencyText, consoleErrors }));
} finally {
  await browser.close();
}
