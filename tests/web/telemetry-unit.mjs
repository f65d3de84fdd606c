// telemetry-unit.mjs: the telemetry module's decision and masking, in node
// (no browser): PostHog is loaded only for anonymous_statistics === true,
// and never when the hello fails, is slow or says anything else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fs from 'node:fs';
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

// Every property a real $pageview of posthog-js 1.449 carried before the
// allow-list, with a few planted ones.
const PAGEVIEW = {
  $os: 'Linux', $browser: 'Chrome', $device_type: 'Desktop', $timezone: 'Europe/Athens',
  $timezone_offset: -120, $current_url: 'http://secret-host:19999/x', $host: 'secret-host:19999',
  $pathname: '/x', $raw_user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0',
  $browser_version: 156, $browser_language: 'el-GR', $browser_language_prefix: 'el',
  $screen_height: 1080, $screen_width: 1920, $viewport_height: 900, $viewport_width: 1600,
  $lib: 'web', $lib_version: '1.449.2', $insert_id: 'x1xap5frrjh6m435', $time: 1796706454.119,
  $sdk_dist_channel: 'cdn', $initialization_time: '2026-12-08T05:07:34.075Z',
  $configured_session_timeout_ms: 1800000, $sdk_debug_extensions_init_method: 'synchronous',
  $sdk_debug_extensions_init_time_ms: 7, distinct_id: 'someone-else', $device_id: 'device',
  $ip: '192.0.2.1', $title: 'secret title', $referrer: 'http://r/', $referring_domain: 'r',
  token: 'phc_x', $config_defaults: 'unset', $session_id: '01a2540c-ca68-782d-ba05-24ed6afa002d',
  $window_id: '01a2540c-ca68-782d-ba05-24ee37b18a15', $session_entry_referrer: 'http://r/',
  $session_entry_host: 'secret-host', $session_entry_url: 'http://secret-host/',
  $initial_current_url: 'http://secret-host/', $prev_pageview_pathname: '/x',
  $recording_status: 'disabled', $sdk_debug_retry_queue_size: 0,
  $pageview_id: '01a2540c-ca48-7fe3-b846-0b7efd686be0', $is_identified: false,
  $process_person_profile: false, $lib_rate_limit_remaining_tokens: 99, utm_source: 'a',
  custom: 'page at secret-host', $set: { $initial_referrer: 'http://r/' },
};

// The properties docs/anonymous-statistics.md lists for the page's events.
function documented() {
  const doc = fs.readFileSync(path.join(process.env.top_srcdir, 'docs/anonymous-statistics.md'), 'utf8');
  const table = doc.split('<!-- page-properties')[1].split('<!-- /page-properties -->')[0];
  const names = [];
  for (const line of table.split('\n').filter((l) => l.startsWith('| `'))) {
    names.push(...[...line.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  }
  return names.sort();
}

test('the allow-list is the documented list', () => {
  const names = documented();
  assert.ok(names.length >= 10, names.join(' '));
  assert.deepEqual(Object.keys(t.ALLOWED_PROPERTIES).sort(), names);
});

test('masking: only documented properties leave, the constants set, planted values dropped', () => {
  const p = t.maskedProperties(PAGEVIEW, ['secret-host'], GUID);
  const allowed = new Set(documented());
  for (const k of Object.keys(p)) assert.ok(allowed.has(k), `${k} is not documented`);
  assert.equal(p.$ip, '127.0.0.1');
  assert.equal(p.$current_url, 'agent dashboard');
  assert.equal(p.$pathname, 'netdata-dashboard');
  assert.equal(p.$host, 'dashboard.netdata.io');
  assert.equal(p.$title, 'agent dashboard');
  assert.equal(p.$referrer, '$direct');
  assert.equal(p.$referring_domain, '$direct');
  assert.equal(p.distinct_id, GUID);
  assert.equal(p.token, 'phc_x');
  assert.equal(p.$lib, 'web');
  assert.equal(p.$process_person_profile, false);
  assert.equal(p.$browser, 'Chrome');
  assert.equal(p.$os, 'Linux');
  for (const k of ['$raw_user_agent', '$timezone', '$timezone_offset', '$browser_language',
    '$browser_version', '$screen_width', '$viewport_height', '$device_id', '$window_id',
    '$session_entry_url', '$initial_current_url', '$prev_pageview_pathname', 'utm_source',
    'custom', '$set']) {
    assert.ok(!(k in p), k);
  }
  assert.ok(!JSON.stringify(p).includes('secret'));
  // A browser property that is not a short word is dropped too.
  const q = t.maskedProperties({ $browser: 'Chrome (at secret-host)', $os: { x: 1 },
    $device_type: 'a'.repeat(41) }, [], GUID);
  assert.deepEqual(Object.keys(q).filter((k) => ['$browser', '$os', '$device_type'].includes(k)), []);
});

test('before_send: the event keeps only documented properties and no person properties', () => {
  const w = { location: { host: 'secret-host:1', hostname: 'secret-host', origin: 'http://secret-host:1',
    href: 'http://secret-host:1/', pathname: '/', search: '', hash: '', port: '1' },
  document: { title: 't', referrer: '' } };
  const cfg = t.posthogConfig({ ...good }, w);
  const e = cfg.before_send({ uuid: 'u', event: '$pageview', properties: { ...PAGEVIEW },
    $set: { $browser: 'Chrome' }, $set_once: { $initial_host: 'secret-host' } });
  assert.deepEqual(Object.keys(e).sort(), ['event', 'properties', 'uuid']);
  const allowed = new Set(documented());
  for (const k of Object.keys(e.properties)) assert.ok(allowed.has(k), k);
  assert.ok(!JSON.stringify(e).includes('secret'));
});

test('level crashes: the page says why it sends nothing', () => {
  const d = t.decide({ ...good, anonymous_statistics: false, anonymous_statistics_level: 'crashes' });
  assert.equal(d.load, false);
  assert.match(d.why, /crash reports only/);
});
