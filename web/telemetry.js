// telemetry.js: the dashboard's PostHog session, gated on the agent.
//
// The agent's registry "hello" says whether anonymous statistics are on,
// decided by the agent at that request (opt-out file, DO_NOT_TRACK,
// DISABLE_TELEMETRY, the level).  Only when it answers in time with
// anonymous_statistics exactly true, a PostHog key and host, and a machine
// GUID, is posthog-js loaded, from the agent's own web directory.  A hook
// that runs on every event before it is sent keeps only the properties of
// ALLOWED_PROPERTIES, which docs/anonymous-statistics.md lists: those that
// could tell which node this is (its URL, host, path, title, referrer) hold
// constants, and nothing else posthog-js gathers leaves the page.

export const HELLO_URL = '/api/v1/registry?action=hello';
export const HELLO_TIMEOUT_MS = 2000;
export const POSTHOG_SCRIPT = 'posthog-js/array.no-external.js';

// What the masked properties always hold.
export const CONSTANTS = Object.freeze({
  $ip: '127.0.0.1',
  $current_url: 'agent dashboard',
  $pathname: 'netdata-dashboard',
  $host: 'dashboard.netdata.io',
  $title: 'agent dashboard',
  $referrer: '$direct',
  $referring_domain: '$direct',
});

// Every property an event of the page may carry, and why: the list
// docs/anonymous-statistics.md shows (tests/web/telemetry-unit.mjs checks
// that they are the same).  Any other property posthog-js adds (the raw
// user agent, the time zone, the language, screen sizes, versions, ids of
// its own...) is dropped before the event leaves.
export const ALLOWED_PROPERTIES = Object.freeze({
  distinct_id: 'the machine GUID: ties the page to its agent',
  token: 'the PostHog project key: PostHog files the event under it',
  $lib: 'posthog-js ("web"): PostHog reads the event by it',
  $lib_version: "posthog-js's version: PostHog reads the event by it",
  $insert_id: 'random, one per event: PostHog drops a retried duplicate',
  $time: 'when the event happened',
  $session_id: 'random, one per page load: groups the events of one visit',
  $process_person_profile: 'false: PostHog makes no person profile',
  $ip: CONSTANTS.$ip,
  $current_url: CONSTANTS.$current_url,
  $pathname: CONSTANTS.$pathname,
  $host: CONSTANTS.$host,
  $title: CONSTANTS.$title,
  $referrer: CONSTANTS.$referrer,
  $referring_domain: CONSTANTS.$referring_domain,
  $browser: 'the browser, without its version (e.g. Chrome)',
  $os: 'the operating system, without its version (e.g. Linux)',
  $device_type: 'Desktop, Mobile or Tablet',
});

// The properties taken from the browser hold a short word or two, or are
// dropped.
const COARSE = /^[A-Za-z0-9 ._-]{1,40}$/;
const FROM_BROWSER = ['$browser', '$os', '$device_type'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// decide(hello): whether the page may load PostHog, and why (for the panel).
export function decide(hello) {
  if (!hello || typeof hello !== 'object') return { load: false, why: 'the agent did not answer' };
  if (hello.anonymous_statistics !== true) {
    if (hello.anonymous_statistics_level === 'crashes') {
      return { load: false, why: 'the agent sends crash reports only; pages send at level all only' };
    }
    return { load: false, why: 'the agent says anonymous statistics are off' };
  }
  if (typeof hello.machine_guid !== 'string' || !GUID.test(hello.machine_guid)) {
    return { load: false, why: 'the agent gave no machine GUID' };
  }
  if (typeof hello.posthog_key !== 'string' || !/^[A-Za-z0-9_-]+$/.test(hello.posthog_key)) {
    return { load: false, why: 'no PostHog key is configured' };
  }
  if (typeof hello.posthog_host !== 'string' ||
      !/^(https:\/\/|http:\/\/(127\.|localhost|\[::1\]))[A-Za-z0-9.:[\]-]+$/.test(hello.posthog_host)) {
    return { load: false, why: 'no usable PostHog host is configured' };
  }
  return { load: true, why: 'the agent says anonymous statistics are on' };
}

// fetchHello(): the hello reply, or null when it fails, is not JSON or
// takes longer than timeoutMs.
export async function fetchHello(fetchFn = globalThis.fetch, timeoutMs = HELLO_TIMEOUT_MS) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const r = await fetchFn(HELLO_URL, { signal: abort.signal, cache: 'no-store', credentials: 'omit' });
    if (!r.ok) return null;
    return await r.json();
  } catch (e) {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

// leaks(value, secrets): whether a string value holds one of the page's own
// strings (its host, URL, path, title, referrer).
function leaks(value, secrets) {
  return typeof value === 'string' && secrets.some((s) => s && value.includes(s));
}

// allowedValue(key, value, secrets): whether an allowed property may carry
// this value: a string, number or boolean that names nothing of the page.
function allowedValue(key, value, secrets) {
  if (!['string', 'number', 'boolean'].includes(typeof value) || leaks(value, secrets)) return false;
  return !FROM_BROWSER.includes(key) || (typeof value === 'string' && COARSE.test(value));
}

// maskedProperties(properties, secrets, guid): an event's properties cut
// down to ALLOWED_PROPERTIES, the constants and the machine GUID set
// whatever came in.
export function maskedProperties(properties, secrets, guid) {
  const p = {};
  const own = properties || {};
  for (const key of Object.keys(ALLOWED_PROPERTIES)) {
    if (Object.prototype.hasOwnProperty.call(CONSTANTS, key)) {
      p[key] = CONSTANTS[key];
    } else if (Object.prototype.hasOwnProperty.call(own, key) && allowedValue(key, own[key], secrets)) {
      p[key] = own[key];
    }
  }
  p.distinct_id = guid;
  return p;
}

// The page's own strings, which no event may carry.
function pageSecrets(win) {
  const l = win.location;
  const s = [l.host, l.hostname, l.origin, l.href, win.document.title, win.document.referrer];
  if (l.pathname && l.pathname !== '/') s.push(l.pathname);
  if (l.search) s.push(l.search);
  if (l.hash) s.push(l.hash);
  if (l.port) s.push(':' + l.port);
  return s.filter((x) => typeof x === 'string' && x.length > 0);
}

// posthogConfig(hello, win): the init options; the hooks mask every event.
export function posthogConfig(hello, win) {
  const secrets = pageSecrets(win);
  const guid = hello.machine_guid;
  const maskEvent = (event) => {
    if (!event) return event;
    event.properties = maskedProperties(event.properties, secrets, guid);
    // No person properties: there is no person profile.
    delete event.$set;
    delete event.$set_once;
    return event;
  };
  return {
    api_host: hello.posthog_host,
    persistence: 'memory',
    person_profiles: 'never',
    bootstrap: { distinctID: guid },
    autocapture: false,
    capture_pageview: false,
    capture_pageleave: false,
    rageclick: false,
    capture_dead_clicks: false,
    capture_heatmaps: false,
    capture_exceptions: false,
    capture_performance: false,
    disable_session_recording: true,
    enable_recording_console_log: false,
    mask_all_text: true,
    mask_all_element_attributes: true,
    mask_personal_data_properties: true,
    save_referrer: false,
    save_campaign_params: false,
    disable_scroll_properties: true,
    disable_surveys: true,
    disable_product_tours: true,
    disable_conversations: true,
    disable_web_experiments: true,
    disable_external_dependency_loading: true,
    advanced_disable_flags: true,
    advanced_disable_feature_flags: true,
    disable_compression: true,
    // posthog-js asks fetch() for a strict-origin Referer, which would name
    // this node's host and port: the page's own policy (none) wins.
    fetch_options: { referrerPolicy: 'no-referrer' },
    request_batching: false,
    get_current_url: () => CONSTANTS.$current_url,
    property_denylist: ['$initial_person_info', '$search_engine', '$referring_domain_type'],
    sanitize_properties: (properties) => maskedProperties(properties, secrets, guid),
    before_send: maskEvent,
  };
}

// loadScript(win, src): resolves once the classic script ran.
function loadScript(win, src) {
  return new Promise((resolve, reject) => {
    const s = win.document.createElement('script');
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error('cannot load ' + src));
    win.document.head.appendChild(s);
  });
}

// start(win): ask the agent, then load and start PostHog or not.
// Resolves to { hello, load, why, started }.
export async function start(win = globalThis) {
  const hello = await fetchHello(win.fetch.bind(win));
  const d = decide(hello);
  const result = { hello, load: d.load, why: d.why, started: false };
  if (!d.load) return result;
  try {
    await loadScript(win, POSTHOG_SCRIPT);
    const ph = win.posthog;
    if (!ph || typeof ph.init !== 'function') throw new Error('posthog-js did not start');
    await new Promise((resolve) => {
      ph.init(hello.posthog_key, {
        ...posthogConfig(hello, win),
        loaded: (instance) => {
          instance.register({ ...CONSTANTS, distinct_id: hello.machine_guid });
          resolve();
        },
      });
    });
    ph.capture('$pageview');
    result.started = true;
  } catch (e) {
    result.why = 'posthog-js is not installed with this agent';
  }
  return result;
}
