// telemetry-unit.mjs: the telemetry module's decision and masking, in node
// (no browser): PostHog is loaded only for anonymous_statistics === true,
// and never when the hello fails, is slow or says anything else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const t = await import(pathToFileURL(path.join(process.env.top_srcdir, 'web/telemetry.js')).href);
const GUID = '6e9c2308-2239-4767-9377-98d24debc31e';
const good = { anonymous_statistics: true, machine_guid: GUID, posthog_key: 'phc_x',
  posthog_host: 'https://eu.i.posthog.com' };

test('only anonymous_statistics === true loads PostHog', () => {
  assert.equal(t.decide(good).load, true);
  for (const v of [false, 'true', 1, null, undefined, {}, [true]]) {
    assert.equal(t.decide({ ...good, anonymous_statistics: v }).load, false, String(v));
  }
  const missing = { ...good };
  delete missing.anonymous_statistics;
  assert.equal(t.decide(missing).load, false);
  assert.equal(t.decide(null).load, false);
  assert.equal(t.decide('yes').load, false);
});

test('no key, a bad host or no GUID: not loaded', () => {
  assert.equal(t.decide({ ...good, posthog_key: '' }).load, false);
  assert.equal(t.decide({ ...good, posthog_host: 'http://evil.example' }).load, false);
  assert.equal(t.decide({ ...good, posthog_host: 'https://x.example/"' }).load, false);
  assert.equal(t.decide({ ...good, machine_guid: 'host-name' }).load, false);
});

const reply = (body, ok = true) => async () => ({ ok, json: async () => body });

test('the hello: failed, not JSON, an error status, slow', async () => {
  assert.equal(await t.fetchHello(async () => { throw new TypeError('refused'); }), null);
  assert.equal(await t.fetchHello(async () => ({ ok: true, json: async () => { throw new SyntaxError('x'); } })), null);
  assert.equal(await t.fetchHello(reply(good, false)), null);
  const slow = (url, opts) => new Promise((resolve, reject) => {
    opts.signal.addEventListener('abort', () => reject(new Error('aborted')));
  });
  const t0 = Date.now();
  assert.equal(await t.fetchHello(slow, 100), null);
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(t.HELLO_TIMEOUT_MS, 2000);
  assert.deepEqual(await t.fetchHello(reply(good)), good);
});

// A window in which loading a script is recorded, never done.
function fakeWindow(hello) {
  const scripts = [];
  return {
    scripts,
    fetch: hello instanceof Function ? hello : reply(hello),
    location: { host: 'h:1', hostname: 'h', origin: 'http://h:1', href: 'http://h:1/', pathname: '/', search: '', hash: '', port: '1' },
    document: {
      title: 't', referrer: '',
      createElement: () => ({}),
      head: { appendChild: (s) => { scripts.push(s.src); setTimeout(() => s.onerror()); } },
    },
  };
}

test('start(): posthog-js is requested only when the flag is true', async () => {
  for (const h of [{ ...good, anonymous_statistics: false }, { ...good, anonymous_statistics: 'true' },
    async () => { throw new Error('down'); }]) {
    const w = fakeWindow(h);
    const r = await t.start(w);
    assert.equal(r.started, false);
    assert.deepEqual(w.scripts, []);
  }
  const w = fakeWindow(good);
  const r = await t.start(w);
  assert.deepEqual(w.scripts, [t.POSTHOG_SCRIPT]);
  assert.equal(r.started, false, 'the script failed to load: not started');
});

test('masking: constants set, URL-derived and planted values dropped', () => {
  const p = t.maskedProperties({
    $current_url: 'http://secret-host:19999/x', $host: 'secret-host:19999', $pathname: '/x',
    $referrer: 'http://r/', $referring_domain: 'r', $title: 'secret title',
    $initial_current_url: 'http://secret-host/', $session_entry_url: 'http://secret-host/',
    $session_entry_host: 'secret-host', $screen_width: 1920, $viewport_height: 900,
    $prev_pageview_pathname: '/x', utm_source: 'a', custom: 'page at secret-host',
    $set: { $initial_referrer: 'http://r/', ok: 1 }, $browser: 'Chrome',
  }, ['secret-host'], GUID);
  assert.equal(p.$ip, '127.0.0.1');
  assert.equal(p.$current_url, 'agent dashboard');
  assert.equal(p.$pathname, 'netdata-dashboard');
  assert.equal(p.$host, 'dashboard.netdata.io');
  assert.equal(p.$title, 'agent dashboard');
  assert.equal(p.$referrer, '$direct');
  assert.equal(p.$referring_domain, '$direct');
  assert.equal(p.$initial_current_url, 'agent dashboard');
  assert.equal(p.$session_entry_host, 'dashboard.netdata.io');
  assert.equal(p.$screen_width, 0);
  assert.equal(p.$viewport_height, 0);
  assert.equal(p.distinct_id, GUID);
  assert.equal(p.$browser, 'Chrome');
  assert.equal(p.$prev_pageview_pathname, 'netdata-dashboard');
  for (const k of ['$session_entry_url', 'utm_source', 'custom']) {
    assert.ok(!(k in p), k);
  }
  assert.deepEqual(p.$set, { $initial_referrer: '$direct', ok: 1 });
  assert.ok(!JSON.stringify(p).includes('secret'));
});
