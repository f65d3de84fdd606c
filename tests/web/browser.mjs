// browser.mjs: load the dashboard page in Debian's headless Chromium,
// driven by playwright-core from web/node_modules (no browser download),
// and print what happened as one JSON document: the panel's text, whether
// the page started PostHog, and every URL the browser requested.
//
//   node browser.mjs URL SCREENSHOT [REFERER [HOST_TO_MAP]]
//   node browser.mjs --rebind ORIGIN SCREENSHOT HOST_TO_MAP
//
// HOST_TO_MAP resolves to 127.0.0.1 inside Chromium only, so the page can
// be served under a planted host name while every byte stays on loopback.
//
// --rebind plays a DNS-rebinding attack: a script runs in a document of
// ORIGIN, whose name now resolves to 127.0.0.1, and asks the dashboard's
// endpoints at that origin, as an attacker's page would once its name was
// rebound.  (The document is whatever ORIGIN/ answers: one from loopback,
// so that Chromium's Private Network Access checks, which not every browser
// has, stay out of the way.)  The report says what each request got:
// { document: STATUS, rebind: [{ path, status, body }] }.
import { createRequire } from 'node:module';
import path from 'node:path';

const rebind = process.argv[2] === '--rebind';
const [url, screenshot, referer, mapHost] = rebind
  ? [process.argv[3], process.argv[4], undefined, process.argv[5]]
  : process.argv.slice(2);
// What the attacker's script does in the page.
async function steal() {
  const out = [];
  for (const p of ['/api/v1/registry?action=hello', '/api/v1/anonymous-statistics/log',
    '/', '/index.html', '/panel.js', '/telemetry.js']) {
    try {
      const r = await fetch(p, { cache: 'no-store' });
      out.push({ path: p, status: r.status, body: await r.text() });
    } catch (e) {
      out.push({ path: p, status: 0, body: String(e) });
    }
  }
  return out;
}
const web = process.env.PLAYWRIGHT_DIR;
const require = createRequire(path.join(web, 'package.json'));
const { chromium } = require('playwright-core');

const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
if (mapHost) args.push(`--host-resolver-rules=MAP ${mapHost} 127.0.0.1`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args,
  timeout: 30000,
});
const out = { requests: [], console: [] };
try {
  // posthog-js drops the events of a browser that says it is headless or
  // automated: the test browses as the plain Chromium it is.
  const agent = (await browser.newBrowserCDPSession()).send('Browser.getVersion');
  const userAgent = (await agent).userAgent.replace('HeadlessChrome', 'Chrome');
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 }, userAgent });
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false });
    Object.defineProperty(Navigator.prototype, 'userAgentData', { get: () => undefined });
  });
  page.on('request', (r) => out.requests.push(r.url()));
  page.on('console', (m) => out.console.push(m.text()));
  if (rebind) {
    const doc = await page.goto(url + '/');
    out.document = doc ? doc.status() : 0;
    out.rebind = await page.evaluate(steal);
  } else {
    await dashboard(page, out);
  }
  await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');

// dashboard(page, out): load the dashboard page, wait for its panel, and
// put what it shows in out.
async function dashboard(page, out) {
  await page.goto(url, referer ? { referer } : {});
  await page.waitForFunction(() => document.documentElement.dataset.panel === 'ready',
    null, { timeout: 15000 });
  out.telemetry = await page.evaluate(() => document.documentElement.dataset.telemetry);
  if (out.telemetry === 'started') {
    // The pageview leaves at once (no batching): wait until it was answered.
    try {
      await page.waitForFunction(() => performance.getEntriesByType('resource')
        .some((e) => e.name.includes('/e/') && e.responseEnd > 0), null, { timeout: 10000 });
    } catch (e) {
      out.error = String(e); // the test sees no event and says so
    }
  }
  out.panel = await page.evaluate(() => ({
    agent: document.getElementById('stats-agent').textContent,
    reason: document.getElementById('stats-reason').textContent,
    level: document.getElementById('stats-level').textContent,
    page: document.getElementById('stats-page').textContent,
    events: [...document.querySelectorAll('#events tbody tr')].map((tr) =>
      [...tr.children].map((td) => td.textContent)),
    note: document.getElementById('events-note').textContent,
    title: document.title,
  }));
}
