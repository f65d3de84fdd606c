// panel.js: the transparency panel.  It shows what the agent says about
// anonymous statistics (on or off, what decided it, the level), whether
// this page started PostHog, and the last events the agent itself sent,
// from its local log.  It only reads: no control here changes anything.
// Every value goes in as text, never as markup.
import { start } from './telemetry.js';

const LOG_URL = '/api/v1/anonymous-statistics/log';

function text(id, value, cls) {
  const el = document.getElementById(id);
  el.textContent = value;
  if (cls) el.className = cls;
}

function utc(epoch) {
  return new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
}

async function showLog() {
  const body = document.querySelector('#events tbody');
  let reply = null;
  try {
    const r = await fetch(LOG_URL, { cache: 'no-store', credentials: 'omit' });
    if (r.ok) reply = await r.json();
  } catch (e) {
    reply = null;
  }
  if (!reply || !Array.isArray(reply.events)) {
    text('events-note', 'The agent did not say which events it sent.');
    return;
  }
  for (const e of reply.events.slice().reverse()) {
    let name = '(not JSON)';
    try {
      const doc = JSON.parse(e.event);
      const p = doc.properties || {};
      name = [p.action, p.action_result].filter((x) => typeof x === 'string' && x).join(' ') ||
        String(doc.event);
    } catch (err) {
      // shown as the log holds it
    }
    const tr = document.createElement('tr');
    for (const [v, cls] of [[utc(Number(e.time)), ''], [name, ''], [String(e.status), ''],
      [String(e.event), 'payload']]) {
      const td = document.createElement('td');
      td.textContent = v;
      if (cls) td.className = cls;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  let note = reply.events.length ? `From ${reply.file}.` : `No event sent yet (${reply.file}).`;
  if (reply.error) note += ` ${reply.error}.`;
  if (reply.skipped) note += ` ${reply.skipped} malformed line(s) skipped.`;
  text('events-note', note);
}

async function main() {
  const root = document.documentElement;
  const r = await start(window);
  const h = r.hello;
  if (h && typeof h === 'object') {
    const on = h.anonymous_statistics === true;
    text('stats-state', on ? 'on' : 'off', on ? 'on' : 'off');
    text('stats-reason', String(h.anonymous_statistics_reason ?? ''));
    text('stats-level', String(h.anonymous_statistics_level ?? ''));
  } else {
    text('stats-state', 'unknown: the agent did not answer', 'off');
  }
  text('stats-page', r.started ? 'PostHog started (every URL, title and referrer masked)'
    : `PostHog not loaded: ${r.why}`);
  root.dataset.telemetry = r.started ? 'started' : 'off';
  await showLog();
  root.dataset.panel = 'ready';
}

main();
